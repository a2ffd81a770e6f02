"""Problem documents (RFC 9457): how a refusal is written down for a machine.

The JSON API answers them (``application/problem+json``), and the asynchronous intake stores one on each
submission it refuses, so that the status resource later shows what the synchronous request would have
answered. No Flask here: the caller names the language and the ``instance`` (the request's path).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from inspect_flow.core.errors import DomainError

TITLES = {
    400: ('Yêu cầu không hợp lệ', 'Bad request'),
    401: ('Chưa xác thực', 'Unauthorized'),
    403: ('Không có quyền', 'Forbidden'),
    404: ('Không tìm thấy', 'Not found'),
    405: ('Phương thức không được phép', 'Method not allowed'),
    409: ('Xung đột', 'Conflict'),
    413: ('Dữ liệu quá lớn', 'Payload too large'),
    415: ('Kiểu dữ liệu không được hỗ trợ', 'Unsupported media type'),
    422: ('Dữ liệu không hợp lệ', 'Unprocessable content'),
    500: ('Lỗi máy chủ', 'Internal server error'),
    503: ('Máy chủ đang bận', 'Service unavailable'),
}


class FieldError(BaseModel):
    model_config = ConfigDict(extra='forbid')

    field: str | None = Field(description='The input field (dotted path) the message is about.')
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra='allow')
    type: str = Field(description='A URI naming the kind of problem: urn:inspect-flow:problem:<code>.')
    title: str
    status: int
    detail: str
    code: str = Field(description='The stable machine-readable error code.')
    instance: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


def problem_body(status: int, code: str, detail: str, errors: list[dict] | None = None, *,
                 instance: str | None, lang: str) -> dict:
    """The problem document of *status*, its title in *lang* (``vi`` or ``en``)."""
    title = TITLES.get(status, TITLES[400] if status < 500 else TITLES[500])
    return {'type': f'urn:inspect-flow:problem:{code}', 'title': title[1] if lang == 'en' else title[0],
            'status': status, 'detail': detail, 'code': code, 'instance': instance, 'errors': errors or []}


def field_errors(exc: DomainError, lang: str) -> list[dict]:
    """The per-field (per-item) errors of *exc*, in *lang*."""
    en = lang == 'en'
    out = []
    for d in exc.details or ():
        if not isinstance(d, dict):
            continue
        if 'items' in d:  # checklist validation: {'items': [{'field', 'message', 'message_en'}]}
            for item in d['items']:
                out.append({'field': item.get('field'),
                            'message': str(item.get('message_en') if en and item.get('message_en') else
                                           item.get('message', ''))})
            continue
        message = d.get('message_en') if en and d.get('message_en') else d.get('message', d.get('msg', ''))
        out.append({'field': d.get('field') or d.get('rule') or exc.field, 'message': str(message)})
    if not out and exc.field:
        out.append({'field': exc.field, 'message': exc.localized(lang)})
    return out


def domain_problem(exc: DomainError, *, instance: str | None, lang: str) -> dict:
    """The problem document of a refusal (answered by the API, stored on a refused queued submission)."""
    return problem_body(exc.status, exc.code, exc.localized(lang), field_errors(exc, lang), instance=instance,
                        lang=lang)
