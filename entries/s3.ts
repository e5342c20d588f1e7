// `sakila-assets/s3`: the lake on S3 (or any S3-protocol server): versioned outputs, a manifest per output.
export { configFrom as s3LakeConfigFrom, layer as s3LakeLayer, make as makeS3Lake, parseS3Url, type S3LakeConfig } from "../resources/s3/S3Lake.js"
