"""Page CSS: larger type for the projector, the goal tables, status colours with words."""

from nyap.present.formatting import STATUS_CSS as _STATUS_CSS

# The charts' font, served from static/fonts (the same files vl-convert uses for PNG/SVG, see
# nyap/present/fonts.py). Relative URLs: they work at the server root and behind a path prefix.
_FONT_FACES = "\n".join(
    f'@font-face {{{{ font-family: "Source Sans Pro"; font-weight: {weight}; font-style: normal; '
    f'font-display: block; src: url("app/static/fonts/SourceSansPro-{name}.ttf") format("truetype"); }}}}'
    for weight, name in ((400, "Regular"), (600, "Semibold"), (700, "Bold")))

CSS = f"""
{_FONT_FACES}
html, body, [data-testid="stAppViewContainer"] {{ font-size: 18px; }}
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li {{ font-size: 1.05rem; line-height: 1.5; }}
h1 {{ font-size: 2.2rem !important; }}
/* using the chart font in the page title makes the browser fetch it before any chart draws */
h1, .nyap-summary {{ font-family: "Source Sans Pro", "Source Sans", sans-serif !important; }}
.nyap-aim {{ font-size: 1.25rem; color: #222; max-width: 70rem; margin: 0 0 1rem 0; }}
.nyap-table {{ border-collapse: collapse; width: 100%; font-size: 1.0rem; }}
.nyap-table caption {{ text-align: left; font-weight: 700; font-size: 1.15rem; padding: .4rem 0; color: #111; }}
.nyap-table th, .nyap-table td {{ border-bottom: 1px solid #d0d5da; padding: .35rem .5rem; text-align: left; vertical-align: top; }}
.nyap-table th {{ background: #f2f4f7; color: #111; font-weight: 700; }}
.nyap-table td.num {{ text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }}
.nyap-table tr.focus td {{ background: #eef4fb; }}
.nyap-table a {{ color: #0b4f8a; text-decoration: underline; }}
.nyap-matrix {{ font-size: 1rem; }}
.nyap-matrix th.area {{ writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; padding: .4rem .2rem; font-weight: 600; }}
.nyap-matrix td.cell {{ text-align: center; white-space: nowrap; padding: .25rem .2rem; }}
.nyap-matrix td.cell .sym {{ font-size: 1.3rem; display: block; }}
.nyap-matrix td.cell .rem {{ font-size: .85rem; color: #222; display: block; font-variant-numeric: tabular-nums; }}
.nyap-matrix td.county {{ background: #fbf4ec; }}
.nyap-matrix tr.challenge th {{ background: #0b4f8a; color: #fff; font-size: 1.05rem; }}
.nyap-legend span {{ margin-right: 1.2rem; white-space: nowrap; }}
.nyap-summary {{ font-size: 1.35rem; font-weight: 600; color: #111; margin: .2rem 0 .8rem 0; }}
.nyap-note {{ color: #333; font-size: .98rem; }}
.nyap-print-only {{ display: none; }}
.nyap-closing {{ display: block; font-size: .82rem; line-height: 1.2; margin-top: .15rem; }}
.nyap-comment {{ border-left: 4px solid #0b4f8a; background: #f2f6fa; padding: .5rem .9rem; margin: .6rem 0 1rem 0; }}
.nyap-comment p {{ margin: 0 0 .4rem 0; }} .nyap-comment .who {{ font-weight: 700; color: #0b4f8a; margin-bottom: .15rem; }}
.nyap-table td.status {{ min-width: 13rem; }}
.nyap-table th[scope=row] {{ width: 40%; }}
.nyap-scroll {{ max-width: 100%; overflow-x: auto; }}
/* the profile fits a 1280 px laptop beside the sidebar: numbers wrap before the year, statuses
   wrap between words */
.nyap-profile th[scope=row] {{ width: auto; min-width: 10rem; }}
.nyap-profile th, .nyap-profile td {{ padding: .3rem .35rem !important; }}
.nyap-profile td.num {{ white-space: normal; min-width: 2.6rem; }}
.nyap-profile td, .nyap-profile th {{ font-size: .95rem; }}
.nyap-profile td.status {{ min-width: 5.6rem; }}
.nyap-profile thead th {{ font-size: .92rem; }}
.nyap-spark {{ display: block; margin: .2rem 0 0 auto; }}
.nyap-profile th[scope=row] {{ min-width: 9rem !important; }}
.nyap-scroll:focus-visible {{ outline: 3px solid #0b4f8a; outline-offset: 2px; }}
.nyap-matrix th[scope=row] {{ width: auto; min-width: 7rem; max-width: 16rem; font-size: .95rem; overflow-wrap: anywhere; hyphens: auto; }}
.nyap-matrix td.cell {{ padding: .25rem .1rem !important; }}
.nyap-catalogue {{ table-layout: fixed; }}
.nyap-catalogue th, .nyap-catalogue td {{ overflow-wrap: anywhere; hyphens: auto; }}
.nyap-matrix td.cell a {{ text-decoration: none; color: inherit; display: block; }}
.nyap-matrix td.cell a:hover .sym, .nyap-matrix td.cell a:focus-visible .sym {{ outline: 2px solid #0b4f8a; outline-offset: 1px; }}
.nyap-legend {{ display: flex; flex-wrap: wrap; gap: .2rem 1.2rem; }}
.nyap-legend span {{ margin-right: 0; }}
@media (max-width: 640px) {{
  html, body, [data-testid="stAppViewContainer"] {{ font-size: 16px; }}
  h1 {{ font-size: 1.7rem !important; }}
  .nyap-table th[scope=row] {{ width: auto; min-width: 9rem; }}
  .nyap-table td.status {{ min-width: 8rem; }}
}}
.nyap-chart-head {{ margin: 1.2rem 0 .2rem 0; font-family: "Source Sans Pro", "Source Sans", sans-serif; }}
.nyap-chart-title {{ margin: 0 0 .3rem 0; color: #111; line-height: 1.25; }}
.nyap-chart-title span {{ display: block; }}
.nyap-chart-l0 {{ font-size: 1.3rem; font-weight: 700; }}
.nyap-chart-l1 {{ font-size: 1.15rem; font-weight: 600; }}
.nyap-chart-notes {{ list-style: none; margin: 0 !important; padding: 0 !important; color: #333; font-size: .95rem; }}
.nyap-chart-notes li {{ margin: 0 !important; padding: 0 !important; }}
.nyap-chart-notes .nyap-demo {{ color: #b3261e; font-weight: 600; }}
.nyap-catalogue td {{ font-size: .95rem; overflow-wrap: break-word; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {{ color: #3a3a3a !important; opacity: 1 !important; font-size: 1rem !important; }}
/* the current page in our navigation is a disabled link: dark and bold (Streamlit greys it out
   below the 4.5:1 contrast WCAG asks for) */
[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"][disabled] p {{
  color: #111111 !important; font-weight: 700; }}
/* Streamlit's chart toolbar is English ("Show data", "Download as CSV", fullscreen) and a second
   export path: every chart has our Swedish table and downloads under it instead */
[data-testid="stElementToolbar"] {{ display: none !important; }}
/* Print (and "save as PDF"): the page as a handout on A4 portrait. Controls do nothing on paper
   and the sidebar's filters are not what is shown (the headings name the selection); the demo
   notice at the top stays, so a printed demo page cannot pass as real figures. */
@media print {{
  @page {{ size: A4 portrait; margin: 12mm; }}
  html, body, [data-testid="stAppViewContainer"] {{ font-size: 11pt; }}
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
  [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stToastContainer"], [data-testid="stToast"],
  [data-testid="stElementContainer"]:has([data-testid="stDownloadButton"]),
  [data-testid="stElementContainer"]:has([data-testid="stButton"]),
  [data-testid="stElementContainer"]:has([data-testid="stPageLink"]),
  [data-testid="stElementContainer"]:has([data-testid="stSelectbox"]),
  [data-testid="stElementContainer"]:has([data-testid="stRadio"]),
  [data-testid="stDownloadButton"], [data-testid="stButton"], [data-testid="stPageLink"],
  [data-testid="stElementContainer"]:has([data-testid="stTextInput"]),
  [data-testid="stElementContainer"]:has([data-testid="stMultiSelect"]),
  [data-testid="stSelectbox"], [data-testid="stRadio"], [data-testid="stExpander"],
  [data-testid="stTextInput"], [data-testid="stMultiSelect"] {{ display: none !important; }}
  .nyap-print-only {{ display: block !important; }}
  /* the main column takes the whole sheet: no sidebar offset, no centred max-width, no screen padding */
  [data-testid="stAppViewContainer"], [data-testid="stMain"] {{ position: static !important; overflow: visible !important;
    margin: 0 !important; padding: 0 !important; width: 100% !important; }}
  [data-testid="stMainBlockContainer"] {{ max-width: none !important; width: 100% !important;
    padding: 0 !important; margin: 0 !important; }}
  h1 {{ font-size: 18pt !important; }}
  h2, h3, h4, .nyap-chart-head, .nyap-summary {{ break-after: avoid; page-break-after: avoid; }}
  /* a heading in its own element container: keep it with the element that follows (Chromium
     honours break-after between blocks, not between flex items: the page's column becomes blocks) */
  [data-testid="stVerticalBlock"] {{ display: block !important; }}
  [data-testid="stVerticalBlock"] > * {{ margin-bottom: .6rem; }}

  [data-testid="stElementContainer"]:has(h1, h2, h3, h4, .nyap-chart-head) {{ break-after: avoid; page-break-after: avoid; }}
  /* tables: the whole width of the sheet, nothing hidden in a scroll box, no row split over two pages */
  .nyap-scroll {{ overflow: visible !important; max-width: none !important; }}
  .nyap-table {{ width: 100% !important; font-size: 8.5pt !important; }}
  .nyap-table caption {{ font-size: 10pt !important; break-after: avoid; }}
  .nyap-table th, .nyap-table td {{ padding: .15rem .25rem !important; min-width: 0 !important; }}
  .nyap-table td.status {{ min-width: 0 !important; }}
  .nyap-table thead {{ display: table-header-group; }}
  .nyap-table tr {{ break-inside: avoid; page-break-inside: avoid; }}
  .nyap-matrix td.cell .sym {{ font-size: 10pt; }}
  .nyap-matrix td.cell .rem {{ font-size: 7pt; }}
  /* a chart stays whole on one page and shrinks to the sheet's width */
  [data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]),
  [data-testid="stVegaLiteChart"] {{ break-inside: avoid; page-break-inside: avoid; }}
  /* and with its heading and notes above it */
  [data-testid="stElementContainer"]:has(.nyap-chart-head) {{ break-inside: avoid; page-break-inside: avoid; }}
  [data-testid="stElementContainer"]:has([data-testid="stVegaLiteChart"]) {{ break-before: avoid; page-break-before: avoid; }}
  [data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg {{
    max-width: 100% !important; height: auto !important; }}
  /* colours (status, demo red, table header shading) carry meaning: print them */
  * {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
/* a visitor who asked their system for less motion gets none: no shimmering placeholders,
   spinning status or fading reruns (WCAG 2.3.3) */
@media (prefers-reduced-motion: reduce) {{
  *, *::before, *::after {{ animation: none !important; transition: none !important; scroll-behavior: auto !important; }}
}}
{_STATUS_CSS}
"""

# The presentation page (nyap/ui/presentation.py): one view filling a 16:9 screen. Sizes follow
# the screen (vw/vh), so 1920×1080 and 1280×720 show the same picture, scaled. No chrome: no
# sidebar, header, toolbar or "Running…" status; a rerun between steps does not fade the old step.
ROOM_CSS = """
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stStatusWidget"],
[data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 1.2vh 2vw 0 2vw !important; max-width: 100% !important; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: .6vh !important; }
[data-stale="true"], .stale-element { opacity: 1 !important; transition: none !important; }
/* Streamlit pulls the next element 1rem up under a markdown block (a paragraph's margin): our
   markdown blocks end with that space themselves */
.nyap-room-md { padding-bottom: 1rem; }
.nyap-room-demo { color: #b3261e; font-weight: 700; font-size: max(14px, 1.05vw); margin: 0; }
[data-testid="stMarkdownContainer"] p.nyap-room-h { font-family: "Source Sans Pro", "Source Sans", sans-serif;
  font-size: max(20px, 2.35vw); font-weight: 700; line-height: 1.15; margin: 0; padding: 0; color: #111; }
[data-testid="stMarkdownContainer"] p.nyap-room-take { font-family: "Source Sans Pro", "Source Sans", sans-serif;
  font-size: max(15px, 1.55vw); line-height: 1.25; margin: .2vh 0 0 0; color: #222; }
[data-testid="stMarkdownContainer"] p.nyap-room-year { font-family: "Source Sans Pro", "Source Sans", sans-serif;
  font-size: max(14px, 1.2vw); font-weight: 600; line-height: 1.2; margin: .2vh 0 0 0; color: #0b4f8a; }
/* the key to the overview's status symbols, on the slide itself */
.nyap-room-table .nyap-legend { font-size: 1.5vh !important; margin: 0 0 .4vh 0; }
.nyap-room-chart svg { display: block; width: 100%; height: auto; max-height: calc(100vh - 10vw - 8vh); margin: 0 auto; }
/* the drawing for this screen's shape: 16:9 (and wider), 16:10, 4:3 (and narrower) */
.nyap-room-chart .nyap-ar { display: none; }
@media (min-aspect-ratio: 17/10) { .nyap-room-chart .nyap-ar-169 { display: block; } }
@media (max-aspect-ratio: 1699/1000) and (min-aspect-ratio: 7/5) { .nyap-room-chart .nyap-ar-1610 { display: block; } }
@media (max-aspect-ratio: 1399/1000) { .nyap-room-chart .nyap-ar-43 { display: block; } }
.nyap-room-foot { display: flex; justify-content: space-between; gap: 2vw; font-size: max(12px, .95vw); color: #333;
  font-family: "Source Sans Pro", "Source Sans", sans-serif; margin: 0; }
.nyap-room-foot a { color: #0b4f8a; margin-left: .5vw; }
.nyap-room-foot > span:last-child { white-space: nowrap; }
.nyap-room-foot a[aria-current] { font-weight: 700; color: #111; text-decoration: none; }
/* the overview matrix or a profile on one screen: one line per goal (names cut with "…", the
   full name is on its challenge page), symbols without the remaining distance */
.nyap-room-table .nyap-table, .nyap-room-table .nyap-table th, .nyap-room-table .nyap-table td,
.nyap-room-table .nyap-table a, .nyap-room-table .nyap-note { font-size: 1.26vh !important; line-height: 1.28 !important; }
.nyap-room-table .nyap-table caption { font-size: 1.5vh !important; padding: 0 !important; }
.nyap-room-table .nyap-table th, .nyap-room-table .nyap-table td { padding: .12vh .3vw !important; }
.nyap-room-table th[scope=row] { max-width: 30vw !important; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.nyap-room-table th[scope=row] br, .nyap-room-table th[scope=row] .nyap-note { display: none; }
.nyap-room-table .nyap-matrix td.cell .rem { display: none; }
.nyap-room-table .nyap-matrix td.cell .sym { font-size: 1.5vh !important; display: inline; }
.nyap-room-table .nyap-matrix th.area { padding: .2vh .1vw !important; }
.nyap-room-table .nyap-profile td, .nyap-room-table .nyap-profile td.num { white-space: nowrap; }
.nyap-room-table .nyap-scroll { overflow: visible; }
/* a phone is not the room's screen: the normal page instead (nyap/ui/presentation.py: PHONE) */
.nyap-phone-link { display: none; }
@media (max-width: 640px) {
  .nyap-phone-link { display: block; font-size: 18px; }
  .nyap-room-table .nyap-scroll { overflow-x: auto; }
  .nyap-room-table .nyap-table, .nyap-room-table .nyap-table th, .nyap-room-table .nyap-table td,
  .nyap-room-table .nyap-table a { font-size: 13px !important; }
}
/* the room's overview tables (nyap/present/room_tables.py): at least 24 px at 1920×1080 (2.4vh),
   in proportion on any screen; symbol and word together */
.nyap-room-table table.nyap-room-grid { border-collapse: collapse; width: 100%; font-family: "Source Sans Pro",
  "Source Sans", sans-serif; font-size: max(2.4vh, 14px); line-height: 1.2; color: #111; }
.nyap-room-grid caption { text-align: left; font-size: max(2.4vh, 14px); font-weight: 600; padding: 0 0 .8vh 0; }
.nyap-room-grid th, .nyap-room-grid td { padding: .9vh 1vw; border-bottom: 1px solid #d0d5dc; text-align: left;
  vertical-align: middle; }
.nyap-room-grid thead th { background: #f2f4f7; font-weight: 700; }
.nyap-room-table .nyap-room-grid th[scope=row] { font-weight: 600; max-width: none !important; white-space: normal;
  overflow: visible; font-size: max(2.4vh, 14px) !important; }
.nyap-room-goals caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
.nyap-room-grid .num { text-align: center; font-variant-numeric: tabular-nums; }
.nyap-room-summary td.num { font-size: max(3.4vh, 18px); font-weight: 700; }
.nyap-room-summary td.total { color: #333; font-weight: 400; }
.nyap-room-goals td { white-space: nowrap; font-weight: 600; }
.st-key-nyap_prev button, .st-key-nyap_next button { font-size: max(14px, 1.1vw); min-height: 0; padding: .2vh 1vw; }
"""
