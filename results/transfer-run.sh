#!/bin/sh
set -e
B=runs/bin-xfer/motivation-experiments
C="--train-limit 2500 --test-limit 2500 --epochs 3 --seed 1 --out results"
$B transfer --model FashionResNet5 --source scratch --classes 0,1,2,3,4 $C --lr 0.1 --save runs/transfer/pretrain-0-4.mdckpt --name transfer-pretrain-0-4
$B transfer --model FashionResNet5 --source runs/transfer/pretrain-0-4.mdckpt --classes 5,6,7,8,9 $C --lr 0.01 --name transfer-5-9-classical
$B transfer --model FashionResNet5 --source runs/transfer/pretrain-0-4.mdckpt --classes 5,6,7,8,9 $C --lr 0.01 --motivated --k 2 --name transfer-5-9-motivated
$B transfer --model FashionResNet5 --source scratch --classes 5,6,7,8,9 $C --lr 0.1 --name transfer-5-9-scratch
