"""Base classes for the gateway's HTTP models (OWASP API3: property-level authorization).

Requests refuse unknown fields, so a client cannot set what it was not offered (mass
assignment). Responses ignore unknown fields, so a service adding a field to its reply does not
silently publish it: only the fields a response model declares ever reach a client.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

# A string that is not blank once `str_strip_whitespace` has stripped it: at least one character
# outside Python's whitespace (spelled out so JSON Schema's ECMA regex means the same thing).
NOT_BLANK_PATTERN = (
    "[^\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
)


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore")
