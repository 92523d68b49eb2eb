"""The only package that imports streamlit: cached loaders, shared filters, page scaffold."""
