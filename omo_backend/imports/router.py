"""The CSV import over HTTP (admins): the sample file and the import itself, a dry run or the
write. HTTP only; the rules are in csv_file.py and service.py."""

from __future__ import annotations

import enum
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from backend_client import schemas
from omo_backend.deps import AdminDep, DbDep, ManagerDep, SettingsDep
from omo_backend.errors import ValidationFailed
from omo_backend.imports import csv_file, service
from omo_backend.openapi import errors

router = APIRouter(prefix="/api/v1", tags=["member import"])

IMPORT_PATH = "/api/v1/members/import"
# What browsers and spreadsheet programs call a CSV file they send as the body.
CSV_TYPES = frozenset(
    {
        "text/csv",
        "text/plain",
        "application/csv",
        "application/vnd.ms-excel",
        "application/octet-stream",
    }
)
# The body cap of the import's path: the file, and a multipart form's few lines around it.
MAX_BODY_BYTES = schemas.IMPORT_MAX_BYTES + 64 * 1024
DEFAULT_FILE_NAME = "import.csv"


class TemplateLanguage(enum.StrEnum):
    EN = "en"
    ZH_TW = "zh_TW"


@router.get(
    "/members/import/template.csv",
    response_class=Response,
    responses={
        200: {
            "description": "The sample file: UTF-8 CSV with a BOM, the header and two example"
            " rows whose names start with `(example)`.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def import_template(
    actor: ManagerDep,
    lang: Annotated[
        TemplateLanguage, Query(description="the header's language")
    ] = TemplateLanguage.EN,
) -> Response:
    return Response(
        csv_file.template(lang.value),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="members-import-sample.csv"'},
    )


_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
    },
}


@router.post(
    "/members/import",
    response_model=schemas.ImportResult,
    openapi_extra={"requestBody": _BODY},
    responses=errors(
        import_rejected=422,
        unsupported_encoding=422,
        unsupported_content_type=422,
        file_required=422,
        empty_file=422,
        no_rows=422,
        too_many_rows=422,
        template_unchanged=422,
        unreadable_csv=422,
        identifier_taken=409,
        rate_limited=429,
        file_too_large=413,
    ),
)
async def import_members(
    request: Request,
    actor: AdminDep,
    db: DbDep,
    settings: SettingsDep,
    mode: schemas.ImportMode = schemas.ImportMode.CREATE,
    dry_run: Annotated[bool, Query(description="check and count, write nothing")] = False,
    first_login: Annotated[
        bool,
        Query(
            description="send the members created their first-login message (SMS, else"
            " e-mail) through the outbox and the SMS limits; a dry run counts them and their"
            " cost"
        ),
    ] = False,
    file_name: Annotated[
        schemas.SingleLine | None,
        Query(
            min_length=1,
            max_length=schemas.IMPORT_FILE_NAME_MAX,
            description="the file's name for a `text/csv` body (a form's file says its own):"
            " the points ledger's reason",
        ),
    ] = None,
) -> schemas.ImportResult:
    """A CSV file of members, all or nothing: a file with any mistake is 422
    `import_rejected` with `details.errors` (line, column, code, words) and nothing written."""
    data, named = await _upload(request)
    name = (named or file_name or DEFAULT_FILE_NAME)[: schemas.IMPORT_FILE_NAME_MAX]
    return await to_thread.run_sync(
        lambda: service.run(
            db=db,
            settings=settings,
            actor=actor,
            store_id=actor.store_id,
            mode=mode,
            data=data,
            file_name=name,
            first_login=first_login,
            dry_run=dry_run,
        )
    )


async def _upload(request: Request) -> tuple[bytes, str | None]:
    """The file's bytes and, from a form, its name."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        try:
            async with request.form(max_files=1, max_fields=10) as form:
                upload = form.get("file")
                if not isinstance(upload, UploadFile):
                    raise ValidationFailed(
                        "Send the CSV file in the form field `file`.", code="file_required"
                    )
                name = upload.filename
                data = await upload.read()
        except MultiPartException as exc:
            raise ValidationFailed(
                f"The form could not be read: {exc.message}", code="file_required"
            ) from None
        clean = name if name and not csv_file.has_control(name) else None
        return data, clean
    if kind not in CSV_TYPES:
        raise ValidationFailed(
            "Send the file as `text/csv` or as the multipart form field `file`.",
            code="unsupported_content_type",
        )
    return await request.body(), None


def route_max_bytes() -> dict[str, int]:
    """The body cap of the import's path (omo_backend/body_limit.py)."""
    return {IMPORT_PATH: MAX_BODY_BYTES}
