"""A corpus of XSS payloads of every well-known class, for tests/test_payloads.py.

Each payload is a template: ``{js}`` is code that calls ``alert(N)`` (N: the payload's
number, so a dialog names the payload that ran), ``{n}`` is N, ``{marker}`` is a URL on
MARKER_HOST (a request there means the payload reached the network), ``{b64}`` is a
base64 HTML page running ``{js}``. ``live`` says whether the raw payload is expected to
run in today's Chromium; the ones that cannot are kept (a sanitizer must still remove
them) and say why in their ``dead`` reason.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

MARKER_HOST = "xss.marker.test"


@dataclass(frozen=True)
class Payload:
    """One payload: its class, its template and, when it cannot run raw in Chromium, why."""

    kind: str
    template: str
    dead: str = ""
    #: False for an unclosed wrapper that holds the rest of the body as browsers parse it
    #: (``<math><mtext><table>…``): the sanitizer drops it with what it holds.
    keeps_body: bool = True

    def render(self, n: int) -> str:
        """The payload as markup, calling ``alert(n)`` / requesting ``/n`` on the marker."""
        js = f"alert({n})"
        page = f"<script>{js}</script>"
        return (
            self.template.replace("{js}", js)
            .replace("{n}", str(n))
            .replace("{marker}", f"http://{MARKER_HOST}/{n}")
            .replace("{b64}", base64.b64encode(page.encode()).decode())
        )


IE = "IE-only (expression, behavior, VBScript): never in Chromium"
NUL = "a null byte inside a name or scheme: the HTML parser makes it U+FFFD, nothing runs"
TEXT = "entity-encoded markup: text to a browser too; dangerous only if a sanitizer decodes it"
BLOCKED = "Chromium blocks this navigation (top-level data:, javascript: in meta refresh/base)"
REPARSE = "inert as parsed once; it turns live only when a sanitizer's output is re-parsed"
INERT = "inert in the raw page as well (template contents, a comment, a broken tag)"

P = Payload
PAYLOADS: tuple[Payload, ...] = (
    # script
    P("script", "<script>{js}</script>"),
    P("script", "<ScRiPt>{js}</sCrIpT>"),
    P("script", '<script type="module">{js}</script>'),
    P("script", '<script src="data:text/javascript,{js}"></script>'),
    P("script", '"><script>{js}</script>'),
    P("script", "<scr<script>ipt>{js}</scr</script>ipt>", INERT),
    P("script", '<img """><script>{js}</script>">'),
    # on* handlers
    P("on*", "<img src=x onerror={js}>"),
    P("on*", "<IMG SRC=x OnErRoR={js}>"),
    P("on*", '<img src=x onerror="&#97;&#108;&#101;&#114;&#116;({n})">'),
    P("on*", "<img src=x:x onerror={js}>"),
    P("on*", "<svg onload={js}>"),
    P("on*", "<svg/onload={js}>"),
    P("on*", "<body onload={js}>"),
    P("on*", "<details open ontoggle={js}>x</details>"),
    P("on*", "<input autofocus onfocus={js}>"),
    P("on*", "<audio src=x onerror={js}>"),
    P("on*", "<video><source onerror={js}></video>"),
    P("on*", '<div onmouseover="{js}">悬停</div>'),
    P("on*", '<p onclick="{js}">点击</p>'),
    P("on*", '<a href="#" onclick="{js}">链接</a>'),
    P("on*", '<input type="image" src=x onerror={js}>'),
    # javascript: URLs (entity-encoded, mixed case, tabs, newlines, controls)
    P("javascript:", '<a href="javascript:{js}">链接</a>'),
    P("javascript:", '<a href="JaVaScRiPt:{js}">链接</a>'),
    P("javascript:", '<a href=" javascript:{js}">链接</a>'),
    P("javascript:", '<a href="&#1;javascript:{js}">链接</a>'),
    P("javascript:", '<a href="java&#9;script:{js}">链接</a>'),
    P("javascript:", '<a href="java&#10;script:{js}">链接</a>'),
    P("javascript:", '<a href="java&#13;script:{js}">链接</a>'),
    P("javascript:", '<a href="javascript&colon;{js}">链接</a>'),
    P(
        "javascript:",
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{js}">链接</a>',
    ),
    P(
        "javascript:",
        '<a href="&#x6a&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3a;{js}">链接</a>',
    ),
    P(
        "javascript:",
        '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105'
        '&#0000112&#0000116&#0000058{js}">链接</a>',
    ),
    P("javascript:", '<img src="javascript:{js}">', "an image never runs a javascript: URL"),
    P("javascript:", '<iframe src="javascript:{js}"></iframe>'),
    # vbscript: and data:
    P("vbscript:", '<a href="vbscript:msgbox({n})">链接</a>', IE),
    P("vbscript:", '<a href="VbScRiPt:msgbox({n})">链接</a>', IE),
    P("vbscript:", '<a href="vb&#9;script:msgbox({n})">链接</a>', IE),
    P("data:", '<a href="data:text/html,<script>{js}</script>">链接</a>', BLOCKED),
    P("data:", '<a href="data:text/html;base64,{b64}">链接</a>', BLOCKED),
    P("data:", '<iframe src="data:text/html;base64,{b64}"></iframe>'),
    P("data:", '<iframe src="DaTa:text/html,<script>{js}</script>"></iframe>'),
    P(
        "data:",
        "<img src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='{js}'/>\">",
        "an SVG loaded as an image never runs script",
    ),
    # SVG and MathML
    P("svg", "<svg><script>{js}</script></svg>"),
    P("svg", '<svg><animate onbegin="{js}" attributeName="x" dur="1s"/></svg>'),
    P("svg", "<svg><style><img src=x onerror={js}></style></svg>"),
    P("svg", "<svg><foreignObject><img src=x onerror={js}></foreignObject></svg>"),
    P("svg", '<svg><a href="javascript:{js}"><text x="9" y="9">链接</text></a></svg>'),
    P("svg", "<svg><p><img src=x onerror={js}>"),
    P("svg", '<svg></p><style><a id="</style><img src=1 onerror={js}>">'),
    P("math", '<math><mtext><img src=x onerror="{js}"></mtext></math>'),
    P("math", "<math><mtext><table><mglyph><style><img src=x onerror={js}>", REPARSE, False),
    P(
        "math",
        '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror={js} '
        'src=1>"></textarea></mtext></svg></mglyph></mi></math>',
    ),
    P(
        "math",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror={js}>",
        REPARSE,
        False,
    ),
    P("math", '<math href="javascript:{js}">链接</math>', "MathML href is not a link in Chromium"),
    # iframe srcdoc, object, embed
    P("iframe", '<iframe srcdoc="<script>parent.{js}</script>"></iframe>'),
    P("iframe", '<iframe srcdoc="&lt;img src=x onerror=parent.{js}&gt;"></iframe>'),
    P("iframe", '<iframe srcdoc="&#60;script&#62;parent.{js}&#60;/script&#62;"></iframe>'),
    P("object", '<object data="data:text/html;base64,{b64}"></object>'),
    P("object", '<object data="javascript:{js}"></object>', "object data never runs javascript:"),
    P("embed", '<embed src="data:text/html;base64,{b64}">'),
    P("embed", '<embed src="{marker}">'),
    # style
    P("style", '<div style="width:expression({js})">样式</div>', IE),
    P("style", '<div style="x:\\65xpression({js})">样式</div>', IE),
    P("style", '<div style="behavior:url({marker}.htc)">样式</div>', IE),
    P(
        "style",
        '<div style="-moz-binding:url({marker}#x)">样式</div>',
        "-moz-binding: Firefox-only",
    ),
    P(
        "style",
        '<div style="background:url(javascript:{js})">样式</div>',
        "CSS never runs a javascript: URL",
    ),
    P("style", '<div style="background-image:url({marker})">样式</div>'),
    P("style", "<style>@import '{marker}';</style>"),
    P("style", '<link rel="stylesheet" href="{marker}">'),
    # meta refresh, base href, forms
    P("meta", '<meta http-equiv="refresh" content="0;url=javascript:{js}">', BLOCKED),
    P("meta", '<meta http-equiv="refresh" content="0;url={marker}">'),
    P("base", '<base href="{marker}/"><img src="pic.png">'),
    P("base", '<base href="javascript:{js}//"><a href="/x">链接</a>', BLOCKED),
    P("form", '<form action="javascript:{js}"><button>提交</button></form>'),
    P("form", '<form><button formaction="javascript:{js}">提交</button></form>'),
    P("form", '<form action="{marker}"><input type="submit" value="提交"></form>'),
    P(
        "form",
        '<form id="f{n}"></form><button form="f{n}" formaction="javascript:{js}">提交</button>',
    ),
    # mXSS through raw-text and parser-switching elements, and comments
    P("mxss", '<noscript><p title="</noscript><img src=x onerror={js}>"></noscript>'),
    P("mxss", "<template><script>{js}</script></template>", INERT),
    P("mxss", '<template><img src=x onerror="{js}"></template>', INERT),
    P("mxss", '<!--<img src="--><img src=x onerror={js}//">'),
    P("mxss", "<!-- --!><img src=x onerror={js}> -->"),
    P("mxss", '<xmp><p title="</xmp><img src=x onerror={js}>"></xmp>'),
    P("mxss", '<textarea><p title="</textarea><img src=x onerror={js}>"></textarea>'),
    P("mxss", '<title><p title="</title><img src=x onerror={js}>"></title>'),
    P("mxss", '<style><p title="</style><img src=x onerror={js}>"></style>'),
    P("mxss", '<noembed><p title="</noembed><img src=x onerror={js}>"></noembed>'),
    P("mxss", '<noframes><p title="</noframes><img src=x onerror={js}>"></noframes>'),
    P("mxss", '<iframe><p title="</iframe><img src=x onerror={js}>"></iframe>'),
    P("mxss", '<p title="&lt;/p&gt;&lt;img src=x onerror={js}&gt;">段落</p>', INERT),
    # entity-encoded markup (the leading-text bug: must stay text)
    P("entities", "&lt;script&gt;{js}&lt;/script&gt;", TEXT),
    P("entities", "&lt;img src=x onerror={js}&gt;", TEXT),
    P("entities", "<section>&lt;script&gt;{js}&lt;/script&gt;</section>", TEXT),
    P("entities", "<font>&lt;svg onload={js}&gt;</font>", TEXT),
    P("entities", "&amp;lt;script&amp;gt;{js}&amp;lt;/script&amp;gt;", TEXT),
    P("entities", "&#60;img src=x onerror={js}&#62;", TEXT),
    # null bytes
    P("null", "\x00<script>{js}</script>"),
    P("null", "<scr\x00ipt>{js}</scr\x00ipt>", NUL),
    P("null", "<img src=x o\x00nerror={js}>", NUL),
    P("null", '<a href="java\x00script:{js}">链接</a>', NUL),
    P(
        "null",
        '<a href="javascript:{js}\x00">链接</a>',
        "U+FFFD (the parser's null) ends the script",
    ),
)
