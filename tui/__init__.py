"""The RNN Playground terminal app (Textual). Imports engine; engine never imports this package."""
