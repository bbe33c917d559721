#!/bin/sh
#QIUSUO --gpus two
