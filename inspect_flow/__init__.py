"""inspect_flow: inspection and supervision rounds, from the plan to the conclusions.

This module holds only the Flask application factory; the domain core lives in the sub-packages
and never imports Flask.
"""

from __future__ import annotations


def create_app(config: dict | None = None):
    """Create the Flask application (flaskr-style factory).

    :param config: settings that override the defaults and the ``INSPECT_FLOW_*`` environment
    :return: the configured :class:`flask.Flask` application
    """
    from inspect_flow.web.app import build_app

    return build_app(config)
