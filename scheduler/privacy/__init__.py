"""Personal data as the law (UU PDP No. 27/2022) asks: a resident's access to and erasure
of their data, retention limits, and NIK key rotation."""
