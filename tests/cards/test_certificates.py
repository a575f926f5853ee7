"""The certificate of recording (cards/certificates.py): numbered and verifiable."""

from scheduler.cards import certificates


def test_certificate_of_recording_is_verifiable(record):
    _, card = record()
    cert = certificates.issue_certificate(card.code)
    assert cert.number.startswith("470/0001/SK-REKAM/XII/2026")
    found = certificates.verify_token(certificates.token(cert))
    assert found.id == cert.id
    assert certificates.verify_token(certificates.token(cert)[:-2] + "xx") is None
    assert certificates.find_by_code(cert.verification_code.lower()).id == cert.id
    view = certificates.public_view(cert)
    assert view["state"] == "valid" and view["nik_masked"] == card.nik_masked
    assert "*" in view["nik_masked"]
