"""The operation registry and the OpenAPI 3.1 document generated from it and from the pydantic models."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from inspect_flow.api import schemas as s

REF = '#/components/schemas/{model}'
ERROR_STATUSES = {
    400: 'Malformed request (bad JSON, bad header).',
    401: 'No valid bearer token.',
    403: 'The token\'s user may see the object but not do this.',
    404: 'No such object, or the user may not see it.',
    409: 'Conflict: stale version, refused workflow step, Idempotency-Key reused with another body.',
    413: 'The body is too large.',
    422: 'Invalid input; `errors` lists each field.',
    503: 'The database is busy; retry after the Retry-After delay.',
}


@dataclass
class Operation:
    method: str
    path: str  # OpenAPI form: /visits/{visit_id}
    name: str
    summary: str
    tag: str
    responses: dict[int, Any]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    body_media: str = 'application/json'
    auth: bool = True
    headers: list[dict] = field(default_factory=list)
    description: str = ''


OPERATIONS: list[Operation] = []


def flask_rule(path: str) -> str:
    return re.sub(r'\{(\w+)\}', r'<\1>', path)


def _path_params(path: str) -> list[dict]:
    out = []
    for name in re.findall(r'\{(\w+)\}', path):
        if name.endswith('_id') and name not in ('checklist_id',):
            schema = {'type': 'integer', 'minimum': 1, 'maximum': s.MAX_ID}
        elif name == 'ref':
            schema = {'type': 'string', 'pattern': '^(sha256:)?[0-9a-f]{64}$'}
        else:
            schema = {'type': 'string', 'minLength': 1, 'maxLength': 80, 'pattern': '^[A-Za-z0-9_.-]+$'}
        out.append({'name': name, 'in': 'path', 'required': True, 'schema': schema})
    return out


def _query_params(model: type[BaseModel], defs: dict) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF)
    defs.update(schema.get('$defs', {}))
    required = set(schema.get('required', ()))
    out = []
    for name, prop in schema['properties'].items():
        prop = dict(prop)
        prop.pop('title', None)
        if 'anyOf' in prop:  # Optional[X]: a query parameter is simply absent when it is None
            options = [o for o in prop.pop('anyOf') if o.get('type') != 'null']
            if len(options) == 1:
                prop.update(options[0])
            else:
                prop['anyOf'] = options
            prop.pop('default', None)
        out.append({'name': name, 'in': 'query', 'required': name in required, 'schema': prop,
                    **({'description': prop['description']} if 'description' in prop else {})})
    return out


def _content_schema(model: Any) -> dict:  # noqa: ANN401
    if isinstance(model, dict):
        return model
    return {'$ref': REF.format(model=model.__name__ if not hasattr(model, '__pydantic_generic_metadata__')
                               else _name(model))}


def _name(model: type[BaseModel]) -> str:
    return model.model_json_schema(ref_template=REF).get('title', model.__name__)


def build_document(server_url: str = '/api/v1') -> dict:
    """The whole OpenAPI 3.1 document."""
    models: set[type[BaseModel]] = {s.Problem}
    for op in OPERATIONS:
        for target in op.responses.values():
            if isinstance(target, type) and issubclass(target, BaseModel):
                models.add(target)
        if op.body is not None:
            models.add(op.body)
    _, top = models_json_schema([(m, 'serialization' if m not in _bodies() else 'validation') for m in models],
                                ref_template=REF)
    components = dict(top.get('$defs', {}))
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        params = _path_params(op.path) + list(op.headers)
        if op.query is not None:
            params += _query_params(op.query, components)
        responses = {}
        for status, target in op.responses.items():
            if target is None:
                responses[str(status)] = {'description': 'No content.'}
            elif isinstance(target, dict):
                responses[str(status)] = {'description': 'A JSON document.',
                                          'content': {'application/json': {'schema': {'type': 'object', **target}}}}
            elif isinstance(target, str):
                responses[str(status)] = {'description': 'The file.', 'content': {target: {
                    'schema': {'type': 'string', 'contentMediaType': target}}}}
            else:
                name = target.__name__ if target.__name__ in components else _title_of(target, components)
                responses[str(status)] = {'description': (target.__doc__ or name).strip().splitlines()[0],
                                          'content': {'application/json': {'schema': {'$ref': REF.format(model=name)}}}}
        problem = {'content': {'application/problem+json': {'schema': {'$ref': REF.format(model='Problem')}}}}
        for status, text in ERROR_STATUSES.items():
            if status == 401 and not op.auth:
                continue
            responses.setdefault(str(status), {'description': text, **problem})
        responses['default'] = {'description': 'Any other error.', **problem}
        entry: dict[str, Any] = {'operationId': op.name, 'summary': op.summary, 'tags': [op.tag],
                                 'parameters': params, 'responses': responses}
        if op.description:
            entry['description'] = op.description
        if op.body is not None:
            name = _title_of(op.body, components)
            entry['requestBody'] = {'required': True, 'content': {op.body_media: {
                'schema': {'$ref': REF.format(model=name)}}}}
        elif op.body_media == 'application/octet-stream':
            entry['requestBody'] = {'required': True, 'content': {'application/octet-stream': {
                'schema': {'type': 'string', 'contentMediaType': 'application/octet-stream'}}}}
        if not op.auth:
            entry['security'] = []
        paths.setdefault(op.path, {})[op.method.lower()] = entry
    return {
        'openapi': '3.1.0',
        'info': {'title': 'inspect_flow API', 'version': '1.0.0',
                 'description': 'Inspection and supervision rounds: plans, teams, visits, checklists, submissions, '
                                'findings, recommendations, documents, administrative units, webhooks. '
                                'Errors are RFC 9457 problem documents; Accept-Language: vi (default) or en.'},
        'servers': [{'url': server_url}],
        'security': [{'bearer': []}],
        'paths': paths,
        'components': {'schemas': components, 'securitySchemes': {
            'bearer': {'type': 'http', 'scheme': 'bearer',
                       'description': 'A personal API token: `inspect-flow tokens create USER`.'}}},
    }


def _bodies() -> set:
    return {op.body for op in OPERATIONS if op.body is not None}


def _title_of(model: type[BaseModel], components: dict) -> str:
    if model.__name__ in components:
        return model.__name__
    title = model.model_json_schema(ref_template=REF).get('title', model.__name__)
    for key in (title, title.replace('[', '_').replace(']', '_'), re.sub(r'\W', '_', title)):
        if key in components:
            return key
    raise KeyError(f'no component for {model!r}')
