"""The asynchronous intake of visit submissions (``Prefer: respond-async``).

* :mod:`inspect_flow.intake.models`: the ``submission_intake`` table;
* :mod:`inspect_flow.intake.writer`: the group commit that stores acknowledged submissions;
* :mod:`inspect_flow.intake.operations`: accept, vet, apply (``process``), prune, count;
* :mod:`inspect_flow.intake.schemas`: the documents the intake stores and answers (the status resource).

No Flask and nothing of :mod:`inspect_flow.api` here: the JSON API, the CLI (``inspect-flow submissions``)
and background workers are shells over these operations.
"""
