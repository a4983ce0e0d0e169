"""The worker's jobs: the scheduler, the daily digest and the eMAG sync job.

It may import the engine, the service, storage, eMAG and the Block Kit builders; nothing
below it (engine, storage, eMAG, handlers, the shared pieces) imports it.
"""
