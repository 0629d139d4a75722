"""Settings of one hub process: one table that drives the environment variables, the command-line flags
and their help.

Each setting is declared once below, with its type, default, bounds, flag and help text.  The
environment variable is always ``HUB_`` + the name in capitals (pydantic-settings reads it); the
``hub serve`` flags and their ``--help`` are generated from the same table (:func:`cli_parameters`),
and every refusal of the GraphQL endpoint names the setting through :func:`describe`.  Precedence:
explicit flag > environment variable > default.  The default graph is the embedded store under the
user's data directory, so a fresh machine needs no server (CONTRACT.md).
"""

from __future__ import annotations

import inspect
import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from platformdirs import user_data_dir
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from graph.store import MAX_SKIP
from hub.domain.seeds import DEFAULT_SEEDS_DIR, layout as seed_layout

Mode = Literal["development", "production"]
MODES: tuple[Mode, ...] = ("development", "production")
ENV_PREFIX = "HUB_"


def default_graph() -> str:
    return str(Path(user_data_dir("huren-hub", appauthor=False)) / "graph.lbug")


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _setting(default: Any = None, *, help: str, flag: str | None = None, short: str | None = None,
             factory: Any = None, **bounds: Any) -> Any:
    """One row of the table.  ``flag`` None = environment only; a ``--x/--no-x`` flag for booleans."""
    extra = {"flag": flag, "short": short}
    if factory is not None:
        return Field(default_factory=factory, description=help, json_schema_extra=extra, **bounds)
    return Field(default, description=help, json_schema_extra=extra, **bounds)


class Settings(BaseSettings):
    """Everything a ``hub`` process can be told.  Construct with keyword arguments to override the
    environment (tests, the CLI); assignment is validated too."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, validate_assignment=True, extra="forbid")

    graph: str = _setting(factory=default_graph, flag="--graph", short="-g",
                          help="Embedded store path, or bolt:// / neo4j:// / neo4j+s:// URL.")
    platforms: Optional[str] = _setting(flag="--platforms", help="Regional platform file (YAML).")
    seeds: Path = _setting(factory=lambda: DEFAULT_SEEDS_DIR, flag="--seeds", help=(
        "Seeds directory (catalogs/, policies/, regions/zones.yaml, crosswalk/; default seeds/ of the checkout): "
        "a new province or zone is files there."))
    host: str = _setting("127.0.0.1", flag="--host", help="Bind address.")
    port: int = _setting(8000, flag="--port", ge=0, le=65535, help="Port (0 = any free port).")
    workers: int = _setting(1, flag="--workers", ge=1, le=64, help=(
        "Server processes answering requests (one per core).  With the embedded store one more process owns "
        "the store and the workers read and write through it; on Neo4j each worker has its own driver."))
    max_batch: int = _setting(1000, flag="--max-batch", ge=1,
                              help="Studies per recognizabilities request (the contract asks for at least 500).")

    # --- who is asking (CONTRACT.md "Who is asking", "Audit") ------------------------------------------
    auth: Literal["on", "off"] = _setting("on", help=(
        "off: serve off loopback without authentication (anyone reaching the port reads patient data; a "
        "warning at every start)."))
    auth_jwks: Optional[str] = _setting(flag="--auth-jwks", validate_default=True, help=(
        "JWKS file or http(s) URL: /graphql and /admin/load then need a bearer JWT (RS256/ES256) signed by one "
        "of its keys.  Required off loopback unless HUB_AUTH=off."))
    auth_issuer: Optional[str] = _setting(flag="--auth-issuer", help="Accept only tokens with this iss.")
    auth_audience: Optional[str] = _setting(flag="--auth-audience", help="Accept only tokens with this aud.")
    rate_limit: str = _setting("600/minute", flag="--rate-limit", help=(
        "Requests per authenticated caller (sub), e.g. 600/minute, 20/second; 'none' for no limit."))
    institution_rate_limit: str = _setting("6000/minute", flag="--institution-rate-limit", help=(
        "Requests per institution (the token's institution), summed over its callers; 'none' for no limit."))
    audit_log: Optional[str] = _setting(flag="--audit-log", help=(
        "Audit log (JSON lines, hash-chained); default beside the store (GRAPH.audit.jsonl), or under the "
        "user's data directory for a Neo4j graph."))
    pseudonym_key_file: Optional[str] = _setting(flag="--pseudonym-key-file", help=(
        "Key of the patient pseudonyms in the audit (created, 0600, when absent); default beside the audit log."))
    audit_syslog: Optional[str] = _setting(flag="--audit-syslog", help=(
        "Also forward audit events to a syslog collector (RFC 5424): tcp://HOST:PORT or tls://HOST:PORT."))

    # --- the GraphQL endpoint -------------------------------------------------------------------------
    mode: Optional[Mode] = _setting(flag="--mode", help=(
        "development (introspection + GraphiQL on) or production (both off unless enabled); "
        "default: development on a loopback address, production otherwise."))
    introspection: Optional[bool] = _setting(flag="--introspection", help="Override the mode's introspection.")
    graphiql: Optional[bool] = _setting(flag="--graphiql", help="Override the mode's GraphiQL page.")
    # the deepest useful query, priorStudies → studies → recognition → reasons → code, is 4
    max_depth: int = _setting(10, flag="--max-depth", ge=1, help="Deepest selection nesting below the root field.")
    max_aliases: int = _setting(30, flag="--max-aliases", ge=1, help="Aliased fields per document.")
    # GraphiQL's introspection query is ~230 fields
    max_fields: int = _setting(500, flag="--max-fields", ge=1,
                               help="Field selections per document, every fragment spread inlined.")
    max_page: int = _setting(500, flag="--max-page", ge=1, help="Largest page of a browse list (`first`).")
    max_offset: int = _setting(10000, flag="--max-offset", ge=0, le=MAX_SKIP,
                               help=f"Largest `offset` of a browse list (the embedded store skips at most {MAX_SKIP}).")
    # a batch of 1,000 studies written inline (not as variables) is ~11k tokens
    max_tokens: int = _setting(20000, flag="--max-tokens", ge=1, help="Lexical tokens per document.")
    max_body_bytes: int = _setting(1 << 20, flag="--max-body-bytes", ge=1, help="Bytes of one HTTP request body.")
    timeout_s: float = _setting(30.0, flag="--timeout", gt=0, help="Seconds one operation may execute.")
    trusted_documents: Optional[str] = _setting(flag="--trusted-documents", help=(
        "Persisted-documents JSON ({sha256: document}); when set, only those documents run."))
    cors_origins: Annotated[list[str], NoDecode] = _setting(factory=list, flag="--cors-origin", help=(
        "Allow this browser origin (repeat the flag; * for any; the variable is comma-separated); "
        "none = same-origin only."))
    mask_errors: bool = _setting(True, help=(
        "Hide the messages of unexpected (non-GraphQL) errors behind an error id (the log has the traceback)."))

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [x.strip() for x in value.split(",") if x.strip()]
        return value

    @field_validator("seeds", mode="before")
    @classmethod
    def _empty_is_default(cls, value: Any) -> Any:
        return DEFAULT_SEEDS_DIR if value in ("", None) else value

    @field_validator("seeds")
    @classmethod
    def _seeds_directory(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"{value} is not a directory")
        missing = [str(p.relative_to(value)) for p in seed_layout(value) if not p.exists()]
        if missing:
            raise ValueError(f"{value} is not a seeds directory: no {', '.join(missing)}")
        return value

    @field_validator("auth_jwks")
    @classmethod
    def _auth_off_loopback(cls, value: Optional[str], info: Any) -> Optional[str]:
        host, auth = info.data.get("host", "127.0.0.1"), info.data.get("auth", "on")
        if not value and not is_loopback(host) and auth != "off":
            raise ValueError(f"serving on {host} (not loopback) needs authentication: give --auth-jwks (a JWKS "
                             "file or URL), or set HUB_AUTH=off to serve patient data to anyone who reaches the port")
        return value

    @field_validator("rate_limit", "institution_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse_many

        if value.strip().lower() != "none":
            try:
                parse_many(value)
            except ValueError:
                raise ValueError("expected e.g. 600/minute, 20/second or none") from None
        return value

    @field_validator("platforms", "trusted_documents", "mode", "auth_jwks", "auth_issuer", "auth_audience",
                     "audit_log", "pseudonym_key_file", "audit_syslog", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    @classmethod
    def from_options(cls, **options: Any) -> "Settings":
        """Settings from flags (None = not given) over the environment; a bad value is a ValueError
        naming the flag and the variable."""
        given = {k: v for k, v in options.items() if v is not None}  # a flag left out must not hide the variable
        try:
            return cls(**given)
        except ValidationError as e:
            raise ValueError(explain(e)) from None

    @property
    def effective_mode(self) -> Mode:
        if self.mode in MODES:
            return self.mode  # type: ignore[return-value]
        return "development" if is_loopback(self.host) else "production"

    @property
    def introspection_enabled(self) -> bool:
        return self.introspection if self.introspection is not None else self.effective_mode == "development"

    @property
    def graphiql_enabled(self) -> bool:
        return self.graphiql if self.graphiql is not None else self.effective_mode == "development"


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def flag_of(name: str) -> str | None:
    extra = Settings.model_fields[name].json_schema_extra
    return extra.get("flag") if isinstance(extra, dict) else None  # type: ignore[return-value]


def describe(name: str, value: Any) -> str:
    """How a refusal names the setting behind it: ``(max_depth=10; --max-depth / HUB_MAX_DEPTH)``."""
    flag = flag_of(name)
    return f"({name}={value}; {flag + ' / ' if flag else ''}{env_name(name)})"


def explain(error: ValidationError) -> str:
    """pydantic's complaint, phrased for the operator: which flag / variable, what it got, what it wants."""
    lines = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "?"
        where = " / ".join(x for x in (flag_of(name) if name in Settings.model_fields else None, env_name(name)) if x)
        lines.append(f"{name} ({where}): {problem['msg']}, got {problem.get('input')!r}")
    return "; ".join(lines)


def cli_parameters(names: list[str]) -> list[inspect.Parameter]:
    """typer parameters for the settings ``names``, generated from the table: the flag, its help with the
    variable and the default.  Each defaults to None (= not given, so the variable or default applies)."""
    import typer

    params = []
    for name in names:
        field = Settings.model_fields[name]
        flag, extra = flag_of(name), field.json_schema_extra or {}
        default = field.get_default(call_default_factory=False)
        shown = "" if default in (None, []) or field.default_factory else f", default {default}"
        help_text = f"{field.description} (env {env_name(name)}{shown})"
        decls = [f"{flag}/--no-{flag.removeprefix('--')}"] if field.annotation == Optional[bool] else [flag]
        if extra.get("short"):  # type: ignore[union-attr]
            decls.append(extra["short"])  # type: ignore[index]
        annotation = field.annotation
        if name == "cors_origins":
            annotation = Optional[list[str]]
        elif not (getattr(annotation, "__args__", None) and type(None) in annotation.__args__):  # type: ignore[union-attr]
            annotation = Optional[annotation]  # type: ignore[valid-type]
        if name == "mode":
            annotation = Optional[str]  # typer renders Literal poorly; the model checks the value
        params.append(inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=None,
            annotation=Annotated[annotation, typer.Option(*decls, help=help_text)],  # type: ignore[valid-type]
        ))
    return params


#: the settings ``hub serve`` takes as flags (all that have one)
SERVE_SETTINGS = [name for name in Settings.model_fields if flag_of(name)]
