"""The business summary's sections, each computed from the recorded results.

One module per section of ``05_business_summary``: ``comparison`` (ranking, findings,
risks), ``routing``, ``drift``, ``stability``, ``cost`` and ``monitoring``; ``text``
holds the wording they share.
"""
