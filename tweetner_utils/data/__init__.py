"""Stage 1, data: corpora and label sets, the data manifest, knowledge resources, the tokenizer.

Everything else reads tweets, tags and lookup lists through here; nothing here knows
about features, models or reports.
"""
