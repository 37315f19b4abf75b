package io.github.auditlake.o365.api;

/** A DLP sensitive information type's friendly name (reference 2.9). */
public record SensitiveType(String id, String name) {}
