"""What every stage knows of Excel and Office Open XML: cell references, XML text, namespaces (pure)."""
