# A database no longer carries resource_id, which every answer had and clients read.
/^        - resource_id$/d
/^        resource_id: {type: string, minLength: 1}$/d
