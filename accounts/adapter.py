from __future__ import annotations

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.models import Site
from django.utils.html import strip_tags

from buurtplatform.emails import absolute_url, send_rendered_email


def site_from_settings() -> Site:
    """The site as settings describe it (SITE_NAME, host of SITE_URL); not saved."""
    return Site(
        id=settings.SITE_ID,
        name=settings.SITE_NAME,
        domain=urlsplit(settings.SITE_URL).netloc or settings.SITE_URL,
    )


def _rebase(url: str) -> str:
    """Point a link built from the request's host at SITE_URL (keep path, query, fragment)."""
    bits = urlsplit(url)
    path = bits.path or "/"
    if bits.query:
        path += f"?{bits.query}"
    if bits.fragment:
        path += f"#{bits.fragment}"
    return absolute_url(path)


# A page may ask to be shown after the next login (e.g. an endorsement started while logged
# out): it stores a local path under this session key; sign-up and confirmation keep it.
AFTER_LOGIN_URL = "after_login_url"


class AccountAdapter(DefaultAccountAdapter):
    def _after_login_url(self, request) -> str | None:
        url = request.session.pop(AFTER_LOGIN_URL, None)
        if isinstance(url, str) and url.startswith("/") and not url.startswith("//"):
            return url
        return None

    def get_login_redirect_url(self, request) -> str:
        return self._after_login_url(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request) -> str:
        # Kept through e-mail confirmation: allauth logs in with this URL after confirming.
        return self._after_login_url(request) or super().get_signup_redirect_url(request)

    def get_from_email(self) -> str:
        return settings.DEFAULT_FROM_EMAIL

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mails: site name and links from settings (never example.com or the request's
        Host header), delivered through the project's one e-mail path."""
        ctx = {"request": allauth_context.request, "email": email}
        ctx.update(context)
        ctx["current_site"] = site_from_settings()
        for key, value in list(ctx.items()):
            if key.endswith("_url") and isinstance(value, str) and value:
                ctx[key] = _rebase(value)
        msg = self.render_mail(template_prefix, email, ctx)
        html = next(
            (
                content
                for content, mimetype in getattr(msg, "alternatives", [])
                if mimetype == "text/html"
            ),
            None,
        )
        body = msg.body
        if msg.content_subtype == "html":
            html, body = msg.body, strip_tags(msg.body)
        # allauth's views run in autocommit, so "after commit" is "now"; sending now also keeps
        # the mail independent of any transaction a test wraps around the request.
        send_rendered_email(
            subject=msg.subject,
            body=body,
            html=html,
            to=list(msg.to),
            from_email=msg.from_email,
            after_commit=False,
        )
