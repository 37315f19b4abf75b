package io.github.auditlake.o365.simulator;

/**
 * Scheduled content volume of one content type: blobs per hour, records per blob and the approximate size of one
 * record in bytes (0 = natural size, about 0.6-1.5 KB depending on the workload; larger values pad records with
 * realistic filler fields).
 */
public record Volume(int blobsPerHour, int recordsPerBlob, int recordBytes) {

    public static final Volume NONE = new Volume(0, 0, 0);

    public Volume {
        if (blobsPerHour < 0 || recordsPerBlob < 0 || recordBytes < 0) {
            throw new IllegalArgumentException("negative volume");
        }
    }

    public static Volume of(int blobsPerHour, int recordsPerBlob) {
        return new Volume(blobsPerHour, recordsPerBlob, 0);
    }
}
