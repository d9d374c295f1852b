"""``importVisits``: a center's registry CSV uploaded as a GraphQL multipart request."""

from __future__ import annotations

from typing import cast

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from icn_graph.schema.centers import Center
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import USER_ERRORS_DESCRIPTION, InputArgument
from icn_graph.schema.payloads import UserError
from icn_graph.schema.relay import expect_global_id
from icn_graph.schema.reports.queries import measure_registry
from icn_graph.services.reports.visits_upload import upload_visits


@strawberry.input(description="A registry export of one center's visits.")
class ImportVisitsInput:
    center_id: strawberry.ID = strawberry.field(description="The center whose visits these are.")
    file: Upload = strawberry.field(
        description="The CSV file, sent as a multipart request (GraphQL multipart request spec) "
        "with `Authorization: Bearer ...`."
    )


@strawberry.type(description="One problem in an uploaded file; the header is row 1.")
class VisitRowError:
    row: int = strawberry.field(description="The row's number in the file, the header being 1.")
    column: str | None = strawberry.field(description="Null when the problem is the whole row.")
    problem: str = strawberry.field(description="What is wrong, in a sentence.")


@strawberry.type(description="What `importVisits` did with the file.")
class ImportVisitsPayload:
    center: Center | None = strawberry.field(description="The center the visits are for.")
    rows_read: int = strawberry.field(description="Data rows read (blank lines not counted).")
    imported: int = strawberry.field(description="Visits added.")
    updated: int = strawberry.field(description="Visits already stored, updated in place.")
    ignored_columns: list[str] = strawberry.field(description="Unknown columns, not imported.")
    row_errors: list[VisitRowError] = strawberry.field(
        description="Every problem in the file (the first 1,000); when any, nothing was imported."
    )
    row_errors_total: int = strawberry.field(description="How many problems the file has.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class ReportMutations:
    @strawberry.mutation(
        description="Import a center's visits from a CSV upload; then its measures are "
        "recomputed. A file with any error imports nothing and lists every problem in "
        "`rowErrors`. The center's own data managers and QI leads only: visits are its "
        "patients' data."
    )
    async def import_visits(
        self, info: Info, input: InputArgument[ImportVisitsInput]
    ) -> ImportVisitsPayload:
        center_id = expect_global_id(input.center_id, "Center", field="centerId")
        context = info.context
        upload = cast("object", input.file)
        upload = await upload_visits(
            context.db,
            context.viewer,
            measure_registry(info),
            center_id,
            upload.file if isinstance(upload, UploadFile) else None,
            secret=context.settings.patient_key_secret.get_secret_value(),
        )
        return ImportVisitsPayload(
            center=Center.from_model(upload.center),
            rows_read=upload.rows_read,
            imported=upload.imported,
            updated=upload.updated,
            ignored_columns=list(upload.ignored_columns),
            row_errors=[
                VisitRowError(row=error.row, column=error.column, problem=error.problem)
                for error in upload.row_errors
            ],
            row_errors_total=upload.errors_total,
            user_errors=[UserError.from_service(error) for error in upload.user_errors],
        )
