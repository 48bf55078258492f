# A backup no longer says whether it is hidden (oasdiff rates this info; spec/oasdiff-levels.txt makes it an error).
/^        hidden: {type: boolean}$/d
