"""Official documents of a round: view models, Vietnamese formatting, HTML and PDF rendering.

The rendering layer (``vnformat``, ``viewmodels``, ``fetcher``, ``render``) takes plain data and
never touches the database or Flask; ``models`` holds the number register and issued documents.
"""
