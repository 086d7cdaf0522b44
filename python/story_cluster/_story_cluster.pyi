class MinHasher:
    """MinHash signatures over character shingles, as ``dedup`` makes them."""

    def __init__(self, num_hashes: int = 128, shingle_chars: int = 5) -> None: ...
    def signature(self, text: str) -> list[int]:
        """The signature of one text."""
    def signatures(self, texts: list[str]) -> list[list[int]]:
        """The signatures of many texts, signed in parallel."""
    @staticmethod
    def estimate(a: list[int], b: list[int]) -> float:
        """The Jaccard similarity two signatures estimate."""

def dedup_json(records_json: str, threshold: float) -> str: ...
def analyse_json(records_json: str) -> str: ...
