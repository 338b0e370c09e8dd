"""The consumer runner, in the modules a reader can name (the public names are
re-exported by `rentezy_common.events.consumer`):

- `spec`: `ConsumerSpec` and the errors a handler raises (`RejectedEvent`,
  `DependencyUnavailable`); the service's registry of specs is in `consumer` itself;
- `ledger`: the processed-event ledger, the one duplicate filter;
- `retry`: the one retry-with-backoff loop;
- `applying`: one batch in one transaction through the ledger and the handler (the
  public step that replay uses too);
- `processing`: settling messages, one path for per-event and batch handlers: batch,
  isolate the failing event, retry it, dead-letter it;
- `deadletters`: writing dead letters and replaying them;
- `runner`: the Kafka poll loop and offsets.
"""
