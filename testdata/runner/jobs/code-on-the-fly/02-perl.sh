perl -e 'print "perl $^V\n"'
printf 'alpha\nbeta\ngamma\n' > words.txt
perl -ne 'print if /a$/' words.txt
