#QIUSUO --time-limit 90m --env PATH=/bin:/usr/bin --env =x
