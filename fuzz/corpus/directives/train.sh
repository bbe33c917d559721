#!/bin/bash
#QIUSUO --project 7 --gpus 2
# QIUSUO --gpus 9 (not a directive)
#QIUSUO -n warmup -t 2h --env A=1
#QIUSUO --env B=2 -g 4
#QIUSUO --time-limit 1d12h30m
python train.py --lr 3e-4
