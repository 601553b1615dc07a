"""``rokhas sign`` and ``rokhas token change-pin|info``.

Secrets never come from the command line (other users can read it in ``ps``): the
PKCS#12 passphrase and token PINs are prompted without echo, or read from the
environment for unattended use (``ROKHAS_P12_PASSPHRASE``, ``ROKHAS_TOKEN_PIN``,
``ROKHAS_TOKEN_NEW_PIN``).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from .._errors import InvalidInputError
from ._input import bounded_int

ENV_P12 = "ROKHAS_P12_PASSPHRASE"
ENV_PIN = "ROKHAS_TOKEN_PIN"
ENV_NEW_PIN = "ROKHAS_TOKEN_NEW_PIN"
ENV_MODULE = "ROKHAS_PKCS11_MODULE"


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Add ``rokhas sign`` and ``rokhas token``."""
    s = sub.add_parser("sign", help="sign a PDF (PAdES B-B, B-T, B-LT or B-LTA)")
    s.add_argument("input", type=Path, help="the PDF to sign")
    s.add_argument("output", type=Path, help="where to write the signed PDF")
    key = s.add_mutually_exclusive_group(required=True)
    key.add_argument("--p12", type=Path, help="a PKCS#12 key file (passphrase prompted)")
    key.add_argument("--pkcs11-module", metavar="SO", help="the token's PKCS#11 module")
    s.add_argument("--token", help="token label (with --pkcs11-module)")
    s.add_argument("--key", help="key label on the token (with --pkcs11-module)")
    s.add_argument(
        "--level",
        choices=["B-B", "B-T", "B-LT", "B-LTA"],
        default="B-B",
        help="PAdES baseline level (default B-B; B-T and above need --tsa)",
    )
    s.add_argument("--tsa", help="RFC 3161 time-stamping URL (B-T and above)")
    s.add_argument("--trust", type=Path, action="append", default=[], help="trusted root (PEM/DER)")
    s.add_argument("--certify", action="store_true", help="certification (DocMDP) signature")
    s.add_argument(
        "--docmdp",
        choices=["no_changes", "form_filling", "annotate"],
        default="form_filling",
        help="what a certified document still allows",
    )
    s.add_argument("--field", help="signature field to fill or create")
    s.add_argument("--reference", help="permit number for the stamp's QR code")
    s.add_argument("--invisible", action="store_true", help="no visible stamp")
    s.add_argument("--name-ar", default="", help="the signer's name in Arabic, for the stamp")
    s.add_argument("--title-ar", default="", help="the signer's title in Arabic")
    s.add_argument("--reason", help="reason recorded in the signature")
    s.add_argument("--location", help="place recorded in the signature")
    s.add_argument("--json", action="store_true", help="print one JSON document")
    s.set_defaults(handler=_sign)

    t = sub.add_parser("token", help="PKCS#11 signing tokens: information, PIN change")
    tsub = t.add_subparsers(dest="token_command", metavar="ACTION")
    info = tsub.add_parser("info", help="tokens, their PIN state and certificates")
    info.add_argument("--module", default=os.environ.get(ENV_MODULE), help=f"or ${ENV_MODULE}")
    info.add_argument("--token", help="only this token")
    info.add_argument("--json", action="store_true", help="print one JSON document")
    info.set_defaults(handler=_token_info)
    cp = tsub.add_parser("change-pin", help="replace the user PIN (required at first use)")
    cp.add_argument("--module", default=os.environ.get(ENV_MODULE), help=f"or ${ENV_MODULE}")
    cp.add_argument("--token", required=True, help="token label")
    cp.add_argument(
        "--min-length",
        type=bounded_int(4, 64),
        default=6,
        help="minimum length of the new PIN (4 to 64; default 6)",
    )
    cp.add_argument("--json", action="store_true", help="print one JSON document")
    cp.set_defaults(handler=_change_pin)
    t.set_defaults(handler=lambda args: _usage(t))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _secret(env: str, prompt: str) -> SecretStr:
    value = os.environ.get(env)
    if value is not None:
        return SecretStr(value)
    if not sys.stdin.isatty():
        raise InvalidInputError(
            f"no terminal to ask for the {prompt.rstrip(': ')}: set ${env} for unattended use"
        )
    return SecretStr(getpass.getpass(prompt))


def _module(value: str | None) -> str:
    if not value:
        raise InvalidInputError(
            f"name the PKCS#11 module with --module (or ${ENV_MODULE}), e.g. "
            "/usr/lib/softhsm/libsofthsm2.so"
        )
    return value


def _load_roots(paths: list[Path]) -> list[Any]:
    from cryptography import x509

    roots = []
    for p in paths:
        data = p.read_bytes()
        try:
            if b"-----BEGIN" in data:
                roots.extend(x509.load_pem_x509_certificates(data))
            else:
                roots.append(x509.load_der_x509_certificate(data))
        except ValueError:
            raise InvalidInputError(f"{p} is not a PEM or DER certificate") from None
    return roots


def _sign(args: argparse.Namespace) -> int:
    from ..signing import Pkcs11Signer, Pkcs12Signer, Signer, StampOptions, sign_pdf

    signer: Signer
    if args.p12 is not None:
        passphrase = _secret(ENV_P12, "PKCS#12 passphrase: ")
        signer = Pkcs12Signer.from_file(args.p12, passphrase)
    else:
        if not args.token or not args.key:
            raise InvalidInputError("--pkcs11-module needs --token LABEL and --key LABEL")
        pin = _secret(ENV_PIN, f"PIN of token {args.token}: ")
        signer = Pkcs11Signer.open(args.pkcs11_module, args.token, pin, key_label=args.key)
    with signer:
        signed = sign_pdf(
            args.input,
            signer,
            level=args.level,
            tsa_url=args.tsa,
            trust_roots=_load_roots(args.trust) or None,
            certify=args.certify,
            docmdp=args.docmdp,
            visible=not args.invisible,
            stamp=StampOptions(name_ar=args.name_ar, title_ar=args.title_ar),
            field_name=args.field,
            reference=args.reference,
            reason=args.reason,
            location=args.location,
            output=args.output,
        )
        result = {
            "output": str(args.output),
            "bytes": len(signed),
            "level": args.level,
            "signer": signer.name,
            "cin": signer.cin,
            "certify": bool(args.certify),
        }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        kind = "certified" if args.certify else "signed"
        print(f"{kind} {args.input} -> {args.output} ({args.level}) by {result['signer']}")
    return 0


def _token_info(args: argparse.Namespace) -> int:
    from ..signing import token_info

    infos = token_info(_module(args.module), args.token)
    if args.json:
        print(json.dumps([i.model_dump(mode="json") for i in infos], ensure_ascii=False))
        return 0
    if not infos:
        print("no initialised token found")
    for info in infos:
        flags = []
        if info.pin_to_be_changed:
            flags.append("PIN must be changed")
        if info.pin_locked:
            flags.append("PIN LOCKED")
        print(f"token {info.label!r} ({info.manufacturer} {info.model}, serial {info.serial})")
        print(f"  PIN: {', '.join(flags) or 'ok'}; retry counter: {info.retry_counter}")
        for c in info.certificates:
            if c.is_ca:
                continue
            state = "EXPIRED" if c.expired else f"{c.days_left} days left"
            nr = "" if c.non_repudiation else " (no non-repudiation: not for signing)"
            print(
                f"  {c.label or c.id_hex}: {c.common_name} CIN {c.cin or '-'} {c.key_type}, "
                f"until {c.not_after:%Y-%m-%d} ({state}){nr}"
            )
    return 0


def _change_pin(args: argparse.Namespace) -> int:
    from ..signing import change_token_pin

    module = _module(args.module)
    old = _secret(ENV_PIN, f"current PIN of token {args.token}: ")
    new = _secret(ENV_NEW_PIN, "new PIN: ")
    if ENV_NEW_PIN not in os.environ:
        again = _secret(ENV_NEW_PIN, "new PIN again: ")
        import hmac

        if not hmac.compare_digest(
            new.get_secret_value().encode(), again.get_secret_value().encode()
        ):
            raise InvalidInputError("the two new PINs differ: nothing was changed")
    change_token_pin(module, args.token, old, new, min_length=args.min_length)
    if args.json:
        print(json.dumps({"token": args.token, "changed": True}))
    else:
        print(f"PIN of token {args.token!r} changed")
    return 0
