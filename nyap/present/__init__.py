"""What a page, a report or an export says and draws: views, charts, tables, the Swedish
sentences, formatting, exports, the font, Om data, summaries."""
