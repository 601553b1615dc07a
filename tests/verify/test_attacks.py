"""Every attack class of the domain brief §4 is caught: nothing attacked is TOTAL_PASSED."""

from __future__ import annotations

import pytest
from verify_corpus import ATTACKS, HONEST, Signing

from rokhas_sdk.signing import Indication, TrustStore, verify_pdf


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attacked_file_is_never_total_passed(
    name: str, signing: Signing, trust: TrustStore
) -> None:
    data = ATTACKS[name](signing)
    report = verify_pdf(data, trust=trust)
    assert report.document.indication is not Indication.TOTAL_PASSED, report.model_dump_json(
        indent=1
    )
    assert not report.passed
    assert report.document.errors, "a rejected file must say why"


@pytest.mark.parametrize("name", sorted(HONEST))
def test_honest_file_passes(name: str, signing: Signing, trust: TrustStore) -> None:
    report = verify_pdf(HONEST[name](signing), trust=trust)
    assert report.document.indication is Indication.TOTAL_PASSED, report.model_dump_json(indent=1)
    assert all(s.indication is Indication.TOTAL_PASSED for s in report.signatures)
