"""The reports' words and tables, each written from recorded numbers.

One module per section: ``comparison`` (ranking, findings, risks), ``decision`` (the decision
box), ``routing_text``, ``drift_text``, ``stability_text``, ``cost``, ``monitoring_text``,
``reviewed_text``, ``transfer_text``, ``calibration_text`` and ``eda_text``; ``text`` holds the
wording they share. The ``_text`` names keep every module name in the package unique, so a
notebook imports the numbers' module and the words' module side by side without aliases.
"""
