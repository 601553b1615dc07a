# mypy: disable-error-code="no-untyped-call"
"""The permit attachment check, end to end on signed PDFs: every problem it names."""

from __future__ import annotations

import io

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from rokhas_sdk.signing import Indication, SubIndication, TrustStore, VerifyLimits, verify_pdf

from .test_verify import _permit, _with_permit
from .verify_corpus import Signing, base_pdf


def _permit_json() -> bytes:
    return _permit().model_dump_json().encode()


def test_two_permit_attachments_are_a_problem(signing: Signing, trust: TrustStore) -> None:
    pdf = base_pdf(f"Permis {_permit().number}")
    pdf = _with_permit(_with_permit(pdf, _permit_json()), _permit_json())
    rep = verify_pdf(signing.sign(pdf), trust=trust)
    assert rep.permit is not None
    assert rep.permit.problems == ["2 permit attachments found; only one is expected"]
    assert rep.permit.covered
    assert rep.signatures[0].indication is Indication.TOTAL_PASSED
    assert rep.document.indication is Indication.INDETERMINATE
    assert rep.document.subindication is SubIndication.SIG_CONSTRAINTS_FAILURE
    assert rep.document.errors == ["permit: 2 permit attachments found; only one is expected"]


def test_permit_that_is_not_an_object(signing: Signing, trust: TrustStore) -> None:
    rep = verify_pdf(signing.sign(_with_permit(base_pdf(), b'["PC-2026-0001"]')), trust=trust)
    assert rep.permit is not None
    assert rep.permit.problems == ["the permit attachment is not a JSON object"]
    assert rep.permit.data == {}
    assert rep.permit.permit is None
    # no reference to look for: the page is not compared
    assert rep.permit.reference is None
    assert rep.permit.reference_matches is None
    assert rep.document.indication is Indication.INDETERMINATE


def test_permit_larger_than_the_limit(signing: Signing, trust: TrustStore) -> None:
    signed = signing.sign(_with_permit(base_pdf(f"Permis {_permit().number}"), _permit_json()))
    assert verify_pdf(signed, trust=trust).document.indication is Indication.TOTAL_PASSED
    rep = verify_pdf(signed, trust=trust, limits=VerifyLimits(max_permit_size=64))
    assert rep.permit is not None
    assert rep.permit.permit is None
    assert rep.permit.problems == ["the permit attachment is too large"], rep.permit.problems
    # the attachment is still signed: only its content is refused
    assert rep.permit.covered
    assert rep.document.indication is Indication.INDETERMINATE


def _with_nested_tree(pdf: bytes, permit_json: bytes) -> bytes:
    """EmbeddedFiles as a two-level name tree, with a broken entry before the permit."""
    w = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = w.add_object(
        generic.StreamObject(
            {pdf_name("/Type"): pdf_name("/EmbeddedFile")}, stream_data=permit_json
        )
    )
    spec = w.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Filespec"),
                pdf_name("/F"): generic.TextStringObject("permit.json"),
                pdf_name("/EF"): generic.DictionaryObject({pdf_name("/F"): stream}),
            }
        )
    )
    no_ef = w.add_object(
        generic.DictionaryObject({pdf_name("/F"): generic.TextStringObject("notes.txt")})
    )
    leaf = w.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Names"): generic.ArrayObject(
                    [
                        generic.TextStringObject("notes.txt"),
                        no_ef,
                        generic.TextStringObject("permit.json"),
                        spec,
                    ]
                )
            }
        )
    )
    w.root[pdf_name("/Names")] = generic.DictionaryObject(
        {
            pdf_name("/EmbeddedFiles"): generic.DictionaryObject(
                {pdf_name("/Kids"): generic.ArrayObject([leaf])}
            )
        }
    )
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_permit_found_in_a_nested_name_tree(signing: Signing, trust: TrustStore) -> None:
    permit = _permit()
    pdf = _with_nested_tree(base_pdf(f"Permis {permit.number}"), _permit_json())
    rep = verify_pdf(signing.sign(pdf), trust=trust)
    assert rep.permit is not None
    assert rep.permit.attachment == "permit.json"
    assert rep.permit.permit == permit
    assert rep.permit.covered
    assert rep.permit.reference_matches is True
    assert rep.document.indication is Indication.TOTAL_PASSED, rep.document.errors
