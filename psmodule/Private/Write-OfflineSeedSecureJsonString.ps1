function Write-OfflineSeedSecureJsonString {
    <#
    .SYNOPSIS
    Writes a SecureString to a stream as a quoted JSON string in UTF-8, without a managed string copy.

    .DESCRIPTION
    The BSTR idiom: SecureStringToBSTR, read the UTF-16 code units with Marshal.ReadInt16 into a char
    buffer (escaping quote, backslash and control characters as JSON requires), encode the buffer to
    UTF-8 bytes, write them, then clear both buffers and ZeroFreeBSTR, in a finally block.
    #>
    [CmdletBinding()]
    [OutputType([void])]
    param(
        [Parameter(Mandatory)]
        [System.IO.Stream] $Stream,

        [Parameter(Mandatory)]
        [System.Security.SecureString] $Value
    )

    $utf8 = [System.Text.UTF8Encoding]::new($false)
    $hexDigits = '0123456789abcdef'
    $length = $Value.Length
    $buffer = New-Object -TypeName 'System.Char[]' -ArgumentList ($length * 6 + 2)
    $bytes = $null
    $bstr = [System.IntPtr]::Zero
    try {
        $count = 0
        $buffer[$count] = [char]'"'
        $count++
        $bstr = [System.Runtime.InteropServices.Marshal]::SecureStringToBSTR($Value)
        for ($index = 0; $index -lt $length; $index++) {
            $code = [int][System.Runtime.InteropServices.Marshal]::ReadInt16($bstr, $index * 2) -band 0xFFFF
            if ($code -eq 0x22 -or $code -eq 0x5C) {
                $buffer[$count] = [char]'\'
                $buffer[$count + 1] = [char]$code
                $count += 2
            } elseif ($code -lt 0x20) {
                $buffer[$count] = [char]'\'
                $buffer[$count + 1] = [char]'u'
                $buffer[$count + 2] = [char]'0'
                $buffer[$count + 3] = [char]'0'
                $buffer[$count + 4] = $hexDigits[($code -shr 4) -band 0xF]
                $buffer[$count + 5] = $hexDigits[$code -band 0xF]
                $count += 6
            } else {
                $buffer[$count] = [char]$code
                $count++
            }
            $code = 0
        }
        $buffer[$count] = [char]'"'
        $count++
        $bytes = $utf8.GetBytes($buffer, 0, $count)
        $Stream.Write($bytes, 0, $bytes.Length)
    } finally {
        if ($bstr -ne [System.IntPtr]::Zero) { [System.Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr) }
        [System.Array]::Clear($buffer, 0, $buffer.Length)
        if ($null -ne $bytes) { [System.Array]::Clear($bytes, 0, $bytes.Length) }
    }
}
