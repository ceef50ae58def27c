"""Operations on certificates: issuing, revocation, jobs over many, and what a certificate states."""
