"""Base classes for the gateway's HTTP models (OWASP API3: property-level authorization).

Requests refuse unknown fields, so a client cannot set what it was not offered (mass
assignment). Responses ignore unknown fields, so a service adding a field to its reply does not
silently publish it: only the fields a response model declares ever reach a client.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore")
