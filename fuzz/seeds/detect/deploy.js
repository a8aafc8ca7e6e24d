// Uploads the built site to S3.
const { S3Client, PutObjectCommand } = require("@aws-sdk/client-s3");
const fs = require("node:fs");
const path = require("node:path");

const s3 = new S3Client({
  region: "us-east-1",
  credentials: {
    accessKeyId: "AKIAVRUVS7NIWJOS7BII",
    secretAccessKey: "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",
  },
});

async function deploy(dir) {
  for (const name of fs.readdirSync(dir)) {
    const body = fs.readFileSync(path.join(dir, name));
    await s3.send(new PutObjectCommand({ Bucket: "acme-www", Key: name, Body: body }));
  }
}

deploy(process.argv[2] || "dist").catch((err) => {
  console.error(err);
  process.exit(1);
});
