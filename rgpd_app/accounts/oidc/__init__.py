"""Sign-in with OpenID Connect: ProConnect for municipal agents, the processor's own provider."""
