/**
 * History beyond the Management Activity API's 7 days, through Microsoft Graph's audit search
 * ({@code /security/auditLog/queries}): the client ({@link io.github.auditlake.o365.history.AuditSearchApi} and its
 * OkHttp adapter), the planning of query ranges under the service's record limit
 * ({@link io.github.auditlake.o365.history.SlicePlanner}), the per-tenant daily submission budget
 * ({@link io.github.auditlake.o365.history.QueryBudget}), the reader that runs the queries and hands their records on
 * in time order ({@link io.github.auditlake.o365.history.HistoryReader}), the table from a record's type to the
 * content type the Management API lists it under ({@link io.github.auditlake.o365.history.ContentTypeTable}), and the
 * Id matching at the seam with the Management API ({@link io.github.auditlake.o365.history.SeamIds}). Kafka-free
 * core: the connector and the CLI both use it.
 */
package io.github.auditlake.o365.history;
