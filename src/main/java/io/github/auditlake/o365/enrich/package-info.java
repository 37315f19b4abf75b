/**
 * Graph enrichment: who is behind the GUIDs of an audit record (users, service principals, groups), resolved with
 * Microsoft Graph {@code POST /directoryObjects/getByIds} in batches, through a bounded cache with a TTL and
 * negative caching, within a request budget and a time bound of its own. Enrichment never delays a blob beyond its
 * bound nor drops a record: when Graph is slow, throttled or denies the permission, records go on unenriched with
 * the reason. Kafka-free (the connector attaches the result as headers and, with {@code struct}, a field).
 */
package io.github.auditlake.o365.enrich;
