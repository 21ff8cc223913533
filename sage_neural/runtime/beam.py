"""
Batched beam search over an exported seq2seq model, on onnxruntime.

All beams of all sources run as one batch through the decoder. At every step
the prefix-arity validator masks the tokens that would make a beam
ill-formed (or impossible to finish within ``max_len``), so every returned
candidate is a complete prefix expression. Scores are sums of log
probabilities.
"""

import logging
from dataclasses import dataclass

import numpy as np

from ..tokens import BOS_ID, EOS_ID, PAD_ID

logger = logging.getLogger(__name__)


@dataclass
class Candidate:
    tokens: list
    score: float


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def beam_search(model, sources, beam_size=10, max_len=40, cache=True):
    """
    The ``beam_size`` best complete candidates for each token list in
    ``sources``, best first, as lists of :class:`Candidate`.

    ``model`` is an :class:`~sage_neural.runtime.model.OnnxSeq2Seq`;
    ``cache=False`` runs the uncached decoder over the whole prefix at every
    step (the reference, and much slower).
    """
    c = model.codec
    B, K = len(sources), beam_size
    source_ids, _ = c.encode_batch(sources, bos=False, eos=True)
    source_mask = (source_ids != PAD_ID).astype(np.int64)
    cross_k, cross_v, cross_mask = model.encode(source_ids, source_mask)

    # Every source gets K rows; the rows of source b are b*K .. b*K + K - 1.
    cross_k = np.repeat(cross_k, K, axis=1)
    cross_v = np.repeat(cross_v, K, axis=1)
    cross_mask = np.repeat(cross_mask, K, axis=0)
    config = model.config
    shape = (config["decoder_layers"], B * K, config["heads"], 0,
             config["d_model"] // config["heads"])
    past_k = np.zeros(shape, dtype=np.float32)
    past_v = np.zeros(shape, dtype=np.float32)

    # Row r's prefix is prefix_ids[r, :lengths[r]].
    prefix_ids = np.full((B * K, max_len + 1), PAD_ID, dtype=np.int64)
    lengths = np.zeros(B * K, dtype=np.int64)
    # Only the first beam of each source is live at the start, so that the
    # first step does not choose the same token K times.
    scores = np.full((B, K), -np.inf)
    scores[:, 0] = 0.0
    finished = [[] for _ in range(B)]
    done = np.zeros(B, dtype=bool)
    token = np.full((B * K, 1), BOS_ID, dtype=np.int64)

    for position in range(max_len + 1):
        if cache:
            logits, past_k, past_v = model.step(token, position, past_k, past_v,
                                                cross_k, cross_v, cross_mask)
        else:
            # All rows have the same length, except dead ones, which are
            # discarded below whatever the decoder says about them.
            target = np.concatenate(
                [np.full((B * K, 1), BOS_ID, dtype=np.int64), prefix_ids[:, :position]], axis=1)
            logits = model.decode(target, cross_k, cross_v, cross_mask)[:, -1]
        log_probs = _log_softmax(logits.astype(np.float64))           # (B*K, V)

        # Mask continuations that break the prefix notation.
        allowed = c.allowed_next_batch(prefix_ids, lengths, max_len=max_len)
        log_probs[~allowed] = -np.inf

        V = log_probs.shape[1]
        total = (scores[:, :, None] + log_probs.reshape(B, K, V)).reshape(B, K * V)
        order = np.argsort(-total, axis=1)[:, :2 * K]

        rows, next_tokens = np.zeros(B * K, dtype=np.int64), np.full(B * K, PAD_ID)
        new_scores = np.full((B, K), -np.inf)
        for b in range(B):
            kept = 0
            for flat in order[b]:
                score = total[b, flat]
                if done[b] or not np.isfinite(score) or kept == K:
                    break
                beam, tok = divmod(int(flat), V)
                row = b * K + beam
                if tok == EOS_ID:
                    finished[b].append(Candidate(c.decode(prefix_ids[row, :lengths[row]].tolist()),
                                                 float(score)))
                    continue
                rows[b * K + kept] = row
                next_tokens[b * K + kept] = tok
                new_scores[b, kept] = score
                kept += 1
            # Fill unused rows with a dead copy of a live row.
            for j in range(kept, K):
                rows[b * K + j] = b * K
            # Sums of log probabilities only decrease: once K candidates are
            # finished and better than every live beam, the source is done.
            finished[b].sort(key=lambda cand: -cand.score)
            if len(finished[b]) >= K and (kept == 0 or
                                          finished[b][K - 1].score >= new_scores[b].max()):
                done[b] = True
            if kept == 0:
                done[b] = True
        if done.all():
            break

        prefix_ids, lengths = prefix_ids[rows], lengths[rows]
        live = np.flatnonzero(np.isfinite(new_scores))
        prefix_ids[live, lengths[live]] = next_tokens[live]
        lengths[live] += 1
        scores = np.where(done[:, None], -np.inf, new_scores)
        past_k, past_v = past_k[:, rows], past_v[:, rows]
        token = next_tokens.reshape(-1, 1).astype(np.int64)
        token[token == PAD_ID] = EOS_ID

    return [sorted(f, key=lambda cand: -cand.score)[:K] for f in finished]
