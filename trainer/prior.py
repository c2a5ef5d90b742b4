"""The recency prior: which hashtags the newest tweets use more than the training data as a whole.

A static model's output bias is the hashtag mix of all its training tweets, but what people tag next
looks like what they tagged last. The prior is a per-hashtag log-ratio,

  prior[h] = ln share_recent(h) − ln share_all(h)      (add-one smoothed counts of query rows)

and the recommender graph adds `prior_weight · prior` to the hashtag logits. `ngram.py` chooses the
weight on the validation rows, with the prior taken from the same number of training rows just before
them (`prepare` keeps the input's order and counts the rows out of time order: with more than 1% of
them there is no prior). The prior it ships comes from the validation rows themselves, the newest
tweets (`--val-days` sets the window), once the head has been refit on them.
"""
import torch

PRIOR_WEIGHT_GRID = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


def hashtag_counts(labels, num_hashtags):
    """Query rows per hashtag (each row's hashtag index list counts once per hashtag)."""
    counts = torch.zeros(num_hashtags)
    for tags in labels:
        counts[tags] += 1.0
    return counts


def recency_prior(recent_labels, all_labels, num_hashtags):
    """ln(share among `recent_labels`) − ln(share among `all_labels`), add-one smoothed: [num_hashtags]."""
    recent, overall = hashtag_counts(recent_labels, num_hashtags), hashtag_counts(all_labels, num_hashtags)
    return (torch.log((recent + 1) / (recent.sum() + num_hashtags))
            - torch.log((overall + 1) / (overall.sum() + num_hashtags)))


def choose_prior_weight(logits, prior, labels, metrics):
    """(weight, metrics per grid value): the best validation hit@5 of `logits + weight · prior` (ties:
    MRR@10, then the smaller weight, so no evidence means no prior)."""
    grid = {b: metrics(logits + b * prior, labels) for b in PRIOR_WEIGHT_GRID}
    weight = max(grid, key=lambda b: (round(grid[b]["hit5"], 6), round(grid[b]["mrr10"], 6), -b))
    return weight, grid


def validation_window_prior(train_labels, n_val, meta, forced_weight, log):
    """The prior as validation can judge it: from the `n_val` training rows just before the validation
    rows, which are the newest training rows only when `prepare`'s input was in time order. Flat (so the
    weight chosen on it is 0) without validation rows, or with more than 1% of the training rows out of
    time order and no `forced_weight`; warnings go to `log`."""
    num_hashtags = meta["num_hashtags"]
    unordered = meta.get("counts", {}).get("train_out_of_time_order")
    if not n_val:
        if forced_weight:
            log(event="warning", message="no validation rows: no recent window, so no recency prior (--prior-weight ignored)")
        return torch.zeros(num_hashtags)
    if unordered is None:
        log(event="warning", message="meta.json does not say whether the training rows are in time order (an older prepare): "
                                     "the recency prior assumes they are")
    elif unordered > 0.01 * meta["n_train"] and forced_weight is None:
        log(event="warning", message=f"{unordered} training rows are out of time order: no recency prior (give --prior-weight to force one)")
        return torch.zeros(num_hashtags)
    return recency_prior(train_labels[-n_val:], train_labels, num_hashtags)
