"""Document batches on the workers: one task per document, a thin shell over
:func:`inspect_flow.documents.batch.run_item` (safe to run again when a worker died mid-item)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name='inspect_flow.documents.render_item')
def render_item(item_id: int) -> str:
    """Issue and render one document of a batch; its state and any error are kept on the batch item."""
    from flask import current_app

    from inspect_flow.documents.batch import run_item

    return run_item(current_app.extensions['inspect_flow.sessions'], item_id)
