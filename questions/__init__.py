"""The article, its question sets as validated data, and the derivation pipeline."""
