# A point-in-time restore now demands a reason that existing clients do not send.
s/^      required: \[restore_time\]$/      required: [restore_time, reason]/
/^        restore_time: {type: string, format: date-time}$/a\
        reason: {type: string}
