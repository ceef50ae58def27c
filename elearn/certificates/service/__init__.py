"""Operations on certificates: issuing, revocation, jobs over many, what a certificate states."""
