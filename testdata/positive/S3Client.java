package com.acme.reports.storage;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.regions.Regions;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;

/** Builds the S3 client used by the report exporter. */
public final class S3Client {
    private static final String ACCESS_KEY = "AKIAI7SSEIK3PGJSFUZ2";
    private static final String SECRET_KEY = "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";

    private S3Client() {}

    public static AmazonS3 create() {
        BasicAWSCredentials credentials = new BasicAWSCredentials(ACCESS_KEY, SECRET_KEY);
        return AmazonS3ClientBuilder.standard()
                .withRegion(Regions.US_EAST_1)
                .withCredentials(new AWSStaticCredentialsProvider(credentials))
                .build();
    }
}
