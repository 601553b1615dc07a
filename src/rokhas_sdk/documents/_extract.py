"""Read the permit back out of a PDF: the ``permit.json`` attachment, validated."""

from __future__ import annotations

import io
from pathlib import Path

from .._errors import InvalidInputError, NotFoundError
from ..models import Permit
from ._permit_pdf import ATTACHMENT_NAME

__all__ = ["extract_permit", "extract_permit_json"]

_MAX_JSON = 1 << 20


def extract_permit_json(pdf: bytes | str | Path) -> bytes:
    """The raw bytes of the ``permit.json`` attachment (the last revision's)."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = Path(pdf).read_bytes() if isinstance(pdf, str | Path) else pdf
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        raise NotFoundError(
            f"this PDF has no attachments: it carries no {ATTACHMENT_NAME}; was it "
            "rendered by rokhas_sdk.documents.render_permit?"
        ) from None
    except (PdfError, ValueError, TypeError, IndexError) as exc:
        raise InvalidInputError(f"not a readable PDF ({type(exc).__name__})") from None
    for i in range(0, len(names) - 1, 2):
        if str(names[i]) == ATTACHMENT_NAME:
            spec = names[i + 1].get_object()
            stream = spec["/EF"]["/F"].get_object()
            raw: bytes = stream.data
            if len(raw) > _MAX_JSON:
                raise InvalidInputError(f"{ATTACHMENT_NAME} is larger than 1 MiB")
            return raw
    raise NotFoundError(f"this PDF has attachments but none named {ATTACHMENT_NAME}")


def extract_permit(pdf: bytes | str | Path) -> Permit:
    """The :class:`~rokhas_sdk.models.Permit` attached to a rendered (or signed) permit.

    This does not check any signature: use ``rokhas_sdk.signing.verify_pdf`` for that.
    """
    return Permit.model_validate_json(extract_permit_json(pdf))
