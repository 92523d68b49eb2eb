"""'Om data': every indicator with definition, source, type, years, data date and caveats,
and the method notes (status rule, county reference, uncertainty, suppression)."""

from __future__ import annotations

import pandas as pd

from nyap.data.cache import Cache
from nyap.present.formatting import fmt_number
from nyap.rules.goals import GoalsConfig
from nyap.present.views import SOURCE_LABELS

KPI_TYPE_TEXT = {"K": "K – bara kommuner", "L": "L – bara regioner", "A": "A – kommuner och regioner", "": "–"}


def indicator_catalogue(cache: Cache, config: GoalsConfig) -> pd.DataFrame:
    obs = cache.observations
    ok = obs[obs["value"].notna()]
    rows = []
    used_by: dict[str, list[str]] = {}
    chain_notes: dict[str, list[str]] = {}
    for goal in config.goals:
        refs = goal.indicators
        for ref in refs:
            used_by.setdefault(ref.id, []).append(goal.text)
            notes = chain_notes.setdefault(ref.id, [])
            if ref.last_year:
                notes.append(f"används t.o.m. {ref.last_year} (seriebrott)")
            if ref.first_year:
                notes.append(f"används från {ref.first_year} (seriebrott)")
            if ref.transform == "complement":
                notes.append("visas som 100 − värdet")
            if ref.scale != 1.0:
                notes.append("omräknat per 1 000" if ref.scale == 0.01 else f"skalat ×{fmt_number(ref.scale, 2)}")
    empty_reasons = cache.manifest.get("empty_reasons", {}) if isinstance(cache.manifest.get("empty_reasons"), dict) else {}
    for ind in cache.indicators.to_dict("records"):
        iid = ind["id"]
        sources = sorted(set(obs.loc[obs["indicator_id"] == iid, "source"].astype(str)))
        if not sources:
            # listed with the reason, never left out: a goal without data must be explainable
            sources = [str(ind.get("source") or "kolada")]
        for source in sources:
            rows_src = ok[(ok["indicator_id"] == iid) & (ok["source"] == source)]
            years = sorted(set(rows_src["year"].astype(int)))
            caveats = list(dict.fromkeys(chain_notes.get(iid, [])))
            if ind["ended"]:
                caveats.append("avslutad serie")
            if ind["kpi_type"] == "K" and source == "kolada":
                has_group = (rows_src["area_code"] == config.meta.county_group).any()
                caveats.append(f"länet: Koladas ovägda medel ({config.meta.county_group})" if has_group
                               else "länet: eget ovägt medel av kommunerna")
            if ind["kpi_type"] == "L":
                caveats.append("inga kommunvärden")
            if rows_src["ci_low"].notna().any():
                caveats.append("enkät: 95 % konfidensintervall, små grupper undertryckta")
            if not years:
                reason = empty_reasons.get(iid)
                caveats.append("inga värden i cachen" + (f": {reason}" if reason else ""))
            rows.append({
                "Id": iid,
                "Titel": ind["title"],
                "Definition": ind["definition"] or "",
                "Källa": SOURCE_LABELS.get(source, source),
                "Kolada-typ": KPI_TYPE_TEXT.get(ind["kpi_type"], ind["kpi_type"]),
                "År": f"{years[0]}–{years[-1]}" if years else "–",
                "Datadatum": ind["publication_date"] or "",
                "Mål": "; ".join(dict.fromkeys(used_by.get(iid, []))),
                "Anmärkningar": "; ".join(caveats),
            })
    return pd.DataFrame(rows)


def method_notes(config: GoalsConfig) -> list[tuple[str, str]]:
    tol = fmt_number(config.meta.tolerance_share * 100, 0)
    return [
        ("Så räknas målen",
         f"Varje mål jämför **basåret** ({config.meta.baseline_year}, om målet inte har en egen målperiod – "
         "den står då på målet) med **senaste värdet** till och med valt år. "
         "Saknas basårets värde används närmaste år inom ±2 år (vid lika avstånd det tidigare) och året visas. "
         "**Målvärdet** är basvärdet plus (eller minus) målets förändring. **Återstår** är avståndet kvar till "
         "målvärdet."),
        ("Status",
         "**✔ Uppnått** – målvärdet är nått. **● Rör sig åt rätt håll** / **✖ åt fel håll** – förändringen sedan "
         f"basåret, i målets riktning (för ett mål som ska minska är en minskning rätt håll). **○ Oförändrat** – förändringen är mindre än {tol} % av målets förändring (t.ex. "
         f"{fmt_number(config.meta.tolerance_share * 2)} procentenheter för ett mål på 2), eller, för enkätdata, "
         "ryms inom osäkerheten: skillnaden är mindre än 1,96 gånger dess standardfel (räknat ur båda årens "
         "95 %-intervall); enkätdata utan intervall bedöms mot toleransen och sidan säger att osäkerheten är "
         "okänd. **⋯ Ej jämförbart (seriebrott)** – basvärdet och det senaste värdet kommer från "
         "olika nyckeltal (t.ex. en ändrad enkätfråga), så ingen förändring kan utläsas. "
         "**◇ Redan vid 100 %** (eller 0 % för ett mål som ska minska) – andelen var redan vid taket på basåret, så "
         "målvärdet (som aldrig går över 100 % eller under 0 %) är lika med basvärdet: målet bedöms inte, bara en "
         "försämring utöver toleransen visas som fel håll. "
         "**– Inget basvärde** – det finns värden, men inget inom basåret ±2 år (vilka år som sökts anges). "
         "**– Inget värde efter basåret** – basvärde finns men inget senare värde till och med valt år. "
         "**– Ingen data** – inga värden alls. **Återstår** visas aldrig som 0,0 innan målet är nått: "
         "mindre än 0,05 kvar skrivs \"< 0,1 kvar\"."),
        ("Länets referens",
         f"{config.region.county_name}s eget värde används när det finns. Nyckeltal av Kolada-typ K har inget "
         "länsvärde; då används Koladas ovägda medelvärde för länets kommuner"
         + (f" ({config.region.group})" if config.region.group else "") + ", och finns inte det räknar appen ett eget "
         "ovägt medelvärde av de kommuner som har värde. Ett eget medelvärde märks alltid som egen beräkning och "
         "anges aldrig som \"Källa: Kolada\". Det visar hur många kommuner det bygger på (\"medel av 5 av "
         f"{config.region.size} kommuner\"). **Samma kommuner:** när länets medel basåret och senaste året bygger "
         "på olika kommuner bedöms länets läge, förändring och skillnad mellan kvinnor och män på de kommuner som "
         "har värden båda åren (eget medel), och sidan säger det; finns ingen sådan kommun bedöms inget. "
         "**Samma år:** *Mot länet* jämför kommunens senaste värde med länets värde samma år, och *rank i länet* "
         "räknas bland alla kommuner med värde det året (lika värden med en decimal delar plats)."),
        ("Seriebrott och avslutade serier",
         "När Kolada ersätter ett nyckeltal med ett nytt (t.ex. N15557 → N15613 för trygghet i åk 5) ritas serierna "
         "för sig och jämförelser över brottet markeras. Avslutade serier visar sitt sista värde; en serie räknas "
         "som avslutad när titeln säger det (\"(-2024)\"), när den försvunnit ur Koladas katalog eller när dess "
         "senaste värde är minst två år äldre än de andra nyckeltalens. Nyckeltal utan värden listas i tabellen "
         "nedan med orsaken."),
        ("Luckor i linjerna",
         "Ett år då ett nyckeltal publicerats men ett område saknar värde är en lucka: linjen bryts där och punkterna "
         "står kvar. År då inget område har ett värde (mellan två enkätomgångar) är ingen lucka."),
        ("Enkätdata och små grupper",
         f"Liv & Hälsa redovisas med 95 % konfidensintervall. Grupper med färre än {config.meta.min_n} svar visas "
         "inte (\"..\") – varken i diagram, tabeller eller nedladdningar – och när det ena könet döljs döljs även "
         "det andra, så att värdet inte kan räknas fram ur totalen."),
        ("Jämlikhet över tid",
         "Strategins hållbarhetsmål säger att skillnaderna mellan grupper ska minska. För varje mål där data räcker "
         "visas därför **spridningen mellan länets kommuner** – högst minus lägst och standardavvikelsen – och "
         "**skillnaden mellan kvinnor och män**, basåret (±2 år) mot senaste året. Spridningen jämförs för *samma* "
         "kommuner båda åren (de som har värde båda åren, minst tre), så att en kommun som saknas inte ser ut som "
         "minskade skillnader. **Registerdata** (alla elever, alla dödsfall) har inget urvalsfel: skillnaderna räknas "
         "som **minskar** eller **ökar** när standardavvikelsen ändras mer än målets tolerans. **Enkätdata med "
         "osäkerhetsintervall** (Liv & Hälsa): slumpens bidrag räknas bort ur standardavvikelsen, och förändringen "
         "måste också vara större än 1,96 gånger sitt standardfel (stort när få kommuner har värde). **Enkätdata "
         "utan intervall** (Koladas kopior av enkäter, t.ex. U01405): bedöms mot målets tolerans, och sidan säger "
         "att osäkerheten är okänd – detsamma gäller målens status för sådana nyckeltal. Skillnaden mellan "
         "kvinnor och män bedöms efter samma regler, och för mål där skillnaden är själva måttet "
         "(medellivslängd) är det samma bedömning som ger målets status: minskar = rätt håll, ökar = fel håll."),
        ("Saknade värden",
         "Ett saknat värde är saknat: det visas som \"–\" eller \"saknas\", aldrig som 0, och linjer ritas inte "
         "ihop över det."),
    ]
